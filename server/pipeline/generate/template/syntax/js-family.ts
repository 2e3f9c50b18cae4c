import type { LanguageSyntax } from "./types.js";
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

const JS_KEYWORDS = words(
  "break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof let new null return super switch this throw true try typeof undefined var void while with yield async await of static get set",
);
const TS_KEYWORDS = set(
  ...JS_KEYWORDS,
  ...words(
    "interface type enum implements private protected public readonly declare abstract as is keyof namespace number string boolean any unknown never",
  ),
);

/** JavaScript, TypeScript and TSX share one grammar family; TypeScript adds keywords and `x!`. */
function javascriptLike(keywords: ReadonlySet<string>, extraPrimary: string[]): LanguageSyntax {
  return {
    ...C_STYLE_LOGIC,
    ...nullComparisons("null"),
    binaryParents: set("binary_expression"),
    binaryOperators: set(...C_FAMILY_COMPARISONS, ...C_FAMILY_ARITHMETIC, "===", "!==", "**", ">>>", "??"),
    assignmentParents: set("assignment_expression", "augmented_assignment_expression"),
    assignmentOperators: set(...C_FAMILY_ASSIGNMENTS, "**=", ">>>=", "&&=", "||=", "??="),
    updateParents: set("update_expression"),
    integerLiterals: set("number"),
    conditionOwners: new Map([
      ["if_statement", { field: "condition" }],
      ["while_statement", { field: "condition" }],
      ["do_statement", { field: "condition" }],
      ["for_statement", { field: "condition" }],
      ["ternary_expression", { field: "condition" }],
    ]),
    conditionWrappers: set("parenthesized_expression"),
    calls: new Map([
      ["call_expression", { callee: "function", arguments: "arguments" }],
      ["new_expression", { callee: "constructor", arguments: "arguments" }],
    ]),
    memberAccess: new Map([["member_expression", { object: "object", property: "property" }]]),
    subscripts: new Map([["subscript_expression", "index"]]),
    boundContainers: set(),
    boundCallees: set("slice", "substring", "substr", "splice", "charAt", "at"),
    returnTypes: set("return_statement"),
    variableTypes: set("identifier", "shorthand_property_identifier_pattern"),
    propertyTypes: set("property_identifier"),
    parameterContainers: set("formal_parameters", "required_parameter", "optional_parameter"),
    primaryTypes: set(
      "identifier",
      "member_expression",
      "subscript_expression",
      "call_expression",
      "number",
      "string",
      "template_string",
      "true",
      "false",
      "null",
      "undefined",
      "this",
      "parenthesized_expression",
      "array",
      "object",
      ...extraPrimary,
    ),
    loopTypes: set("for_statement", "for_in_statement", "while_statement", "do_statement"),
    blockTypes: set("statement_block", "program"),
    terminator: ";",
    ifLines: parenthesisedIfLines,
    simpleStatements: set("expression_statement"),
    lengthOf: (x) => `${x}.length`,
    keywords,
    standaloneStatements: true,
    parseUnits: new Map<string, readonly [string, string] | null>([
      ["function_declaration", null],
      ["generator_function_declaration", null],
      ["method_definition", ["class __RepairUnit {\n", "\n}"]],
      ["class_declaration", null],
      ["lexical_declaration", null],
      ["variable_declaration", null],
      ["expression_statement", null],
      ["if_statement", null],
      ["for_statement", null],
      ["for_in_statement", null],
      ["while_statement", null],
      ["try_statement", null],
      ["switch_statement", null],
      // Function values do not stand alone as statements, but parenthesised they are expressions.
      ["function_expression", ["(", ")"]],
      ["arrow_function", ["(", ")"]],
      ["generator_function", ["(", ")"]],
    ]),
  };
}

export const JAVASCRIPT = javascriptLike(JS_KEYWORDS, []);
export const TYPESCRIPT = javascriptLike(TS_KEYWORDS, ["non_null_expression"]);
