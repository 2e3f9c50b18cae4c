; Functions and methods, with their names.
(function_definition name: (identifier) @function.name) @function
(lambda) @function

; Statements: the units the template engine edits and deletes.
[
  (expression_statement)
  (return_statement)
  (if_statement)
  (for_statement)
  (while_statement)
  (try_statement)
  (with_statement)
  (raise_statement)
  (assert_statement)
  (pass_statement)
  (break_statement)
  (continue_statement)
  (delete_statement)
  (global_statement)
  (nonlocal_statement)
  (import_statement)
  (import_from_statement)
] @statement

(identifier) @identifier
(comment) @comment
(string) @string
