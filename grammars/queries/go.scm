; Functions, methods and function literals, with their names. A function literal bound by `:=` or `=` to a single
; variable takes the variable's name; when both patterns match the same literal, the named match comes first
; because the name precedes the literal in the text.
(function_declaration name: (identifier) @function.name) @function
(method_declaration name: (field_identifier) @function.name) @function
(short_var_declaration
  left: (expression_list . (identifier) @function.name .)
  right: (expression_list . (func_literal) @function .))
(assignment_statement
  left: (expression_list . (identifier) @function.name .)
  right: (expression_list . (func_literal) @function .))
(func_literal) @function

; Statements: the units the template engine edits and deletes. Blocks and case clauses are left out: they are
; containers. Type declarations are left out too: they declare no behaviour to repair.
[
  (expression_statement)
  (assignment_statement)
  (short_var_declaration)
  (inc_statement)
  (dec_statement)
  (send_statement)
  (var_declaration)
  (const_declaration)
  (return_statement)
  (if_statement)
  (for_statement)
  (expression_switch_statement)
  (type_switch_statement)
  (select_statement)
  (go_statement)
  (defer_statement)
  (break_statement)
  (continue_statement)
  (goto_statement)
  (fallthrough_statement)
  (labeled_statement)
  (import_declaration)
] @statement

[
  (identifier)
  (field_identifier)
  (type_identifier)
  (package_identifier)
] @identifier

(comment) @comment

[
  (interpreted_string_literal)
  (raw_string_literal)
  (rune_literal)
] @string
