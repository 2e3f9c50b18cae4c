; Functions and closures, with their names. A closure bound by `let` takes the binding's name; when both patterns
; match the same closure, the named match comes first because the name precedes the closure in the text.
(function_item name: (_) @function.name body: (block)) @function
(let_declaration pattern: (identifier) @function.name value: (closure_expression) @function)
(closure_expression) @function

; Statements: the units the template engine edits and deletes. Rust has few statement nodes: control flow and
; `return` are expressions wrapped in expression_statement, and a block's value is its last expression, which is
; captured too so that a tail expression such as `a + b` or a trailing `if` is editable like any other line.
[
  (expression_statement)
  (let_declaration)
  (use_declaration)
  (const_item)
  (static_item)
  (empty_statement)
] @statement
(block (_expression) @statement .)

(identifier) @identifier
(field_identifier) @identifier
(shorthand_field_identifier) @identifier
(type_identifier) @identifier

[
  (line_comment)
  (block_comment)
] @comment

[
  (string_literal)
  (raw_string_literal)
  (char_literal)
] @string
