; Function definitions and lambdas, with their names. The name sits inside a function_declarator, which may itself
; sit inside pointer or reference declarators when the function returns one; it may be qualified (`Class::method`),
; a destructor or an operator. A conversion operator has no function_declarator: its name is the operator_cast.
; A lambda bound to a variable takes the variable's name; when both patterns match the same lambda, the named match
; comes first because the name precedes the lambda in the text.
(function_definition declarator: (function_declarator declarator: (_) @function.name)) @function
(function_definition
  declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @function.name))) @function
(function_definition
  declarator: (pointer_declarator
    declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @function.name)))) @function
(function_definition
  declarator: (reference_declarator (function_declarator declarator: (_) @function.name))) @function
(function_definition declarator: (operator_cast) @function.name) @function
(function_definition declarator: (qualified_identifier (operator_cast)) @function.name) @function
(init_declarator declarator: (identifier) @function.name value: (lambda_expression) @function)
(lambda_expression) @function

; Statements: the units the template engine edits and deletes. Compound statements (blocks) and case labels are
; left out: they are containers. Declarations cover local variables as well as namespace-level declarations.
[
  (expression_statement)
  (declaration)
  (field_declaration)
  (alias_declaration)
  (using_declaration)
  (return_statement)
  (co_return_statement)
  (co_yield_statement)
  (if_statement)
  (for_statement)
  (for_range_loop)
  (while_statement)
  (do_statement)
  (switch_statement)
  (try_statement)
  (throw_statement)
  (break_statement)
  (continue_statement)
  (goto_statement)
  (labeled_statement)
] @statement

[
  (identifier)
  (field_identifier)
  (type_identifier)
  (namespace_identifier)
] @identifier

(comment) @comment

[
  (string_literal)
  (raw_string_literal)
  (char_literal)
] @string
