; Methods, constructors and lambdas, with their names. Abstract and interface methods have no body and so no lines
; to repair inside them; they are left out. A lambda bound to a variable takes the variable's name; when both
; patterns match the same lambda, the named match comes first because the name precedes the lambda in the text.
(method_declaration name: (identifier) @function.name body: (block)) @function
(constructor_declaration name: (identifier) @function.name) @function
(compact_constructor_declaration name: (identifier) @function.name) @function
(variable_declarator name: (identifier) @function.name value: (lambda_expression) @function)
(lambda_expression) @function

; Statements: the units the template engine edits and deletes. Blocks and class declarations are left out: they are
; containers. Field declarations are in, because a wrong initialiser is a one-line bug like any other.
[
  (expression_statement)
  (local_variable_declaration)
  (field_declaration)
  (explicit_constructor_invocation)
  (return_statement)
  (if_statement)
  (for_statement)
  (enhanced_for_statement)
  (while_statement)
  (do_statement)
  (switch_expression)
  (try_statement)
  (try_with_resources_statement)
  (throw_statement)
  (break_statement)
  (continue_statement)
  (yield_statement)
  (assert_statement)
  (synchronized_statement)
  (labeled_statement)
  (import_declaration)
] @statement

[
  (identifier)
  (type_identifier)
] @identifier

[
  (line_comment)
  (block_comment)
] @comment

[
  (string_literal)
  (character_literal)
] @string
