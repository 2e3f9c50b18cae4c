; Functions and methods, with their names. A lambda bound by assignment takes the variable's name; when both
; patterns match the same lambda, the named match comes first because the name precedes the lambda in the text.
(function_definition name: (identifier) @function.name) @function
(assignment left: (identifier) @function.name right: (lambda) @function)
(lambda) @function

; Statements: the units the template engine edits and deletes. Function and class definitions are left out: they
; are containers, and a line range inside a function should not select the whole function.
[
  (expression_statement)
  (return_statement)
  (if_statement)
  (for_statement)
  (while_statement)
  (try_statement)
  (with_statement)
  (match_statement)
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
  (future_import_statement)
  (type_alias_statement)
  (print_statement)
  (exec_statement)
] @statement

(identifier) @identifier
(comment) @comment
(string) @string
