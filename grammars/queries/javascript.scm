; Functions, methods, arrow functions and generators, with their names where the code gives them one. A function
; value bound to a variable, an object key, a class field or an assignment target takes that name; when both the
; named and the bare pattern match the same function, the named match comes first because the name precedes the
; function in the text.
(function_declaration name: (identifier) @function.name) @function
(generator_function_declaration name: (identifier) @function.name) @function
(method_definition name: (_) @function.name) @function
(variable_declarator
  name: (identifier) @function.name
  value: [(arrow_function) (function_expression) (generator_function)] @function)
(pair key: (_) @function.name value: [(arrow_function) (function_expression) (generator_function)] @function)
(field_definition
  property: (_) @function.name
  value: [(arrow_function) (function_expression) (generator_function)] @function)
(assignment_expression
  left: [(identifier) (member_expression)] @function.name
  right: [(arrow_function) (function_expression) (generator_function)] @function)
(function_expression name: (identifier)? @function.name) @function
(generator_function name: (identifier)? @function.name) @function
(arrow_function) @function

; Statements: the units the template engine edits and deletes. Function and class declarations and blocks are left
; out: they are containers, and a line range inside a function should not select the whole function.
[
  (expression_statement)
  (lexical_declaration)
  (variable_declaration)
  (using_declaration)
  (return_statement)
  (if_statement)
  (for_statement)
  (for_in_statement)
  (while_statement)
  (do_statement)
  (switch_statement)
  (try_statement)
  (throw_statement)
  (break_statement)
  (continue_statement)
  (labeled_statement)
  (debugger_statement)
  (with_statement)
  (import_statement)
  (field_definition)
] @statement
; Exports of existing names are import-like lines; exported declarations are captured as declarations instead.
(export_statement (export_clause)) @statement

[
  (identifier)
  (property_identifier)
  (private_property_identifier)
  (shorthand_property_identifier)
  (shorthand_property_identifier_pattern)
] @identifier

[
  (comment)
  (html_comment)
] @comment

[
  (string)
  (template_string)
] @string
