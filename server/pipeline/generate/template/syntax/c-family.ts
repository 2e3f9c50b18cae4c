import type { CallShape, LanguageSyntax } from "./types.js";
import {
  C_FAMILY_ARITHMETIC,
  C_FAMILY_ASSIGNMENTS,
  C_FAMILY_COMPARISONS,
  C_STYLE_LOGIC,
  nullComparisons,
  parenthesisedIfLines,
  set,
  words,
} from "./writers.js";

const C_KEYWORDS = words(
  "auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while bool true false NULL",
);
const CPP_KEYWORDS = set(
  ...C_KEYWORDS,
  ...words(
    "class namespace template typename public private protected virtual override this new delete nullptr using try catch throw operator friend constexpr auto std const_cast static_cast dynamic_cast reinterpret_cast",
  ),
);

/** C and C++ share tree-sitter-c's node types; C++ differs in its null word, subscript field and keywords. */
function cLike(id: "c" | "cpp"): LanguageSyntax {
  return {
    ...C_STYLE_LOGIC,
    ...nullComparisons(id === "c" ? "NULL" : "nullptr"),
    binaryParents: set("binary_expression"),
    binaryOperators: set(...C_FAMILY_COMPARISONS, ...C_FAMILY_ARITHMETIC),
    assignmentParents: set("assignment_expression"),
    assignmentOperators: set(...C_FAMILY_ASSIGNMENTS),
    updateParents: set("update_expression"),
    integerLiterals: set("number_literal"),
    conditionOwners: new Map([
      ["if_statement", { field: "condition" }],
      ["while_statement", { field: "condition" }],
      ["do_statement", { field: "condition" }],
      ["for_statement", { field: "condition" }],
      ["conditional_expression", { field: "condition" }],
    ]),
    conditionWrappers: set("parenthesized_expression", "condition_clause"),
    calls: new Map([["call_expression", { callee: "function", arguments: "arguments" }]]),
    memberAccess: new Map([["field_expression", { object: "argument", property: "field" }]]),
    subscripts: new Map([["subscript_expression", id === "c" ? "index" : "indices"]]),
    boundContainers: set("subscript_argument_list"),
    boundCallees: set("substr"),
    returnTypes: set("return_statement"),
    variableTypes: set("identifier"),
    propertyTypes: set("field_identifier"),
    parameterContainers: set("parameter_list", "parameter_declaration", "optional_parameter_declaration"),
    primaryTypes: set(
      "identifier",
      "field_expression",
      "subscript_expression",
      "call_expression",
      "number_literal",
      "string_literal",
      "char_literal",
      "true",
      "false",
      "null",
      "this",
      "parenthesized_expression",
      "qualified_identifier",
    ),
    loopTypes: set("for_statement", "while_statement", "do_statement", "for_range_loop"),
    blockTypes: set("compound_statement", "translation_unit"),
    terminator: ";",
    ifLines: parenthesisedIfLines,
    simpleStatements: set("expression_statement"),
    // A C array carries no length; a C++ subscript is most often on a vector or string, which has size().
    ...(id === "cpp" ? { lengthOf: (x: string) => `${x}.size()` } : {}),
    keywords: id === "c" ? C_KEYWORDS : CPP_KEYWORDS,
    parseUnits: new Map<string, readonly [string, string] | null>([
      ["function_definition", null],
      ["lambda_expression", ["auto unit = ", ";"]],
    ]),
  };
}

export const C = cLike("c");
export const CPP = cLike("cpp");

export const JAVA: LanguageSyntax = {
  ...C_STYLE_LOGIC,
  ...nullComparisons("null"),
  binaryParents: set("binary_expression"),
  binaryOperators: set(...C_FAMILY_COMPARISONS, ...C_FAMILY_ARITHMETIC, ">>>"),
  assignmentParents: set("assignment_expression"),
  assignmentOperators: set(...C_FAMILY_ASSIGNMENTS, ">>>="),
  updateParents: set("update_expression"),
  integerLiterals: set("decimal_integer_literal"),
  conditionOwners: new Map([
    ["if_statement", { field: "condition" }],
    ["while_statement", { field: "condition" }],
    ["do_statement", { field: "condition" }],
    ["for_statement", { field: "condition" }],
    ["ternary_expression", { field: "condition" }],
  ]),
  conditionWrappers: set("parenthesized_expression"),
  calls: new Map<string, CallShape>([
    ["method_invocation", { callee: "name", arguments: "arguments", receiver: "object" }],
    ["object_creation_expression", { callee: "type", arguments: "arguments" }],
  ]),
  memberAccess: new Map([["field_access", { object: "object", property: "field" }]]),
  subscripts: new Map([["array_access", "index"]]),
  boundContainers: set(),
  boundCallees: set("substring", "subList", "charAt", "get", "copyOfRange"),
  returnTypes: set("return_statement"),
  variableTypes: set("identifier"),
  propertyTypes: set(),
  parameterContainers: set("formal_parameters", "formal_parameter", "catch_formal_parameter", "inferred_parameters"),
  primaryTypes: set(
    "identifier",
    "field_access",
    "array_access",
    "method_invocation",
    "decimal_integer_literal",
    "string_literal",
    "character_literal",
    "true",
    "false",
    "null_literal",
    "this",
    "parenthesized_expression",
  ),
  loopTypes: set("for_statement", "enhanced_for_statement", "while_statement", "do_statement"),
  blockTypes: set("block", "program"),
  terminator: ";",
  ifLines: parenthesisedIfLines,
  simpleStatements: set("expression_statement"),
  lengthOf: (x) => `${x}.length`,
  keywords: words(
    "abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null var String",
  ),
  parseUnits: new Map<string, readonly [string, string] | null>([
    ["method_declaration", ["class __RepairUnit {\n", "\n}"]],
    ["constructor_declaration", ["class __RepairUnit {\n", "\n}"]],
    ["lambda_expression", ["class __RepairUnit { Object unit = ", "; }"]],
    ["class_declaration", null],
  ]),
};
