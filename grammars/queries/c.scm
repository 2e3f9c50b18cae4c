; Function definitions, with their names. The name sits inside a function_declarator, which may itself sit inside
; pointer declarators when the function returns a pointer. GCC's nested functions are function definitions too.
(function_definition declarator: (function_declarator declarator: (_) @function.name)) @function
(function_definition
  declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @function.name))) @function
(function_definition
  declarator: (pointer_declarator
    declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @function.name)))) @function

; Statements: the units the template engine edits and deletes. Compound statements (blocks) and case labels are
; left out: they are containers. Declarations cover local variables as well as file-level declarations.
[
  (expression_statement)
  (declaration)
  (field_declaration)
  (return_statement)
  (if_statement)
  (for_statement)
  (while_statement)
  (do_statement)
  (switch_statement)
  (break_statement)
  (continue_statement)
  (goto_statement)
  (labeled_statement)
] @statement

[
  (identifier)
  (field_identifier)
  (type_identifier)
] @identifier

(comment) @comment

[
  (string_literal)
  (char_literal)
] @string
