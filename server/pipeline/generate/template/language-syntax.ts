import type { LanguageId } from "../../../../grammars/languages.js";

/**
 * What the template engine needs to know about each grammar, in one table. Node types and field names differ per
 * grammar (they were read from each package's src/node-types.json and checked on sample parses), and so does the
 * surface syntax the engine writes (negation, null checks, guards). Mutations consult this table and never name a
 * grammar's node type themselves.
 */
export interface CallShape {
  /** Field holding the callee: an identifier, or a member access for method calls. */
  readonly callee: string;
  readonly arguments: string;
  /** Field holding the receiver when the call node itself carries it (Java's method_invocation). */
  readonly receiver?: string;
}

export interface MemberShape {
  readonly object: string;
  readonly property: string;
}

/** Where a condition sits: a field of its owner, or (Python's `a if c else b`) its n-th named child. */
export interface ConditionSlot {
  readonly field?: string;
  readonly namedIndex?: number;
}

export interface LanguageSyntax {
  /** Parents whose anonymous child is a binary operator (arithmetic, comparison, logical, bitwise). */
  readonly binaryParents: ReadonlySet<string>;
  /** Binary operators the language has; alternatives outside this set are never proposed. */
  readonly binaryOperators: ReadonlySet<string>;
  readonly assignmentParents: ReadonlySet<string>;
  readonly assignmentOperators: ReadonlySet<string>;
  /** Parents of `++` / `--` tokens. */
  readonly updateParents: ReadonlySet<string>;
  readonly integerLiterals: ReadonlySet<string>;
  readonly booleanLiterals: ReadonlySet<string>;
  readonly trueWord: string;
  readonly falseWord: string;
  readonly nullWord: string;
  readonly andWord: string;
  readonly orWord: string;
  /** Node types of a logical negation, and how to find the negated operand. */
  readonly notTypes: ReadonlySet<string>;
  readonly notToken: string;
  /** Writes `not x` / `!x`; the operand is parenthesised by the caller when needed. */
  negate(operand: string): string;
  /** A test that `x` is absent, and its opposite. */
  isNull(x: string): string;
  isNotNull(x: string): string;
  readonly conditionOwners: ReadonlyMap<string, ConditionSlot>;
  /** Wrappers around a condition that are not part of it (parentheses, C++'s condition_clause). */
  readonly conditionWrappers: ReadonlySet<string>;
  readonly calls: ReadonlyMap<string, CallShape>;
  readonly memberAccess: ReadonlyMap<string, MemberShape>;
  /** Subscript node types and the field of the index; undefined means "the last named child". */
  readonly subscripts: ReadonlyMap<string, string | undefined>;
  /** Node types whose named children are bounds (Python's slice, Go's slice_expression, Rust's ranges). */
  readonly boundContainers: ReadonlySet<string>;
  /** Callees whose arguments are bounds, e.g. Python's range(). */
  readonly boundCallees: ReadonlySet<string>;
  readonly returnTypes: ReadonlySet<string>;
  /** Identifier node types of variables and of properties/fields. */
  readonly variableTypes: ReadonlySet<string>;
  readonly propertyTypes: ReadonlySet<string>;
  /** Ancestors that make an identifier a declaration rather than a use. */
  readonly parameterContainers: ReadonlySet<string>;
  /** Expressions that need no parentheses as an operand. */
  readonly primaryTypes: ReadonlySet<string>;
  /** Loop node types (a guard may `continue` inside one). */
  readonly loopTypes: ReadonlySet<string>;
  /** Block node types, whose named children are statements. */
  readonly blockTypes: ReadonlySet<string>;
  /** Statement that does nothing, for languages where an empty block is a syntax error. */
  readonly emptyStatement?: string;
  /** Terminator of a simple statement the engine writes (`;` or nothing). */
  readonly terminator: string;
  /** `if (c) <body>` as absolute lines at `indent`; `body` lines are relative to it and go one `unit` deeper. */
  ifLines(condition: string, body: readonly string[], indent: string, unit: string): string[];
  /** Values a `return` may plausibly give when nothing better is known. */
  readonly fallbackReturns: readonly string[];
  /** Statement node types that hold one simple action (an assignment, an update, a call): copyable statements. */
  readonly simpleStatements: ReadonlySet<string>;
  /** Writes the length of a sequence `x` (`len(x)`, `x.length`), or undefined where the syntax cannot know it (C). */
  lengthOf?(x: string): string;
  readonly keywords: ReadonlySet<string>;
  /**
   * Function-like node types that parse on their own (optionally wrapped): the syntax filter reparses only the
   * unit around a hunk instead of the whole file.
   */
  readonly parseUnits: ReadonlyMap<string, readonly [string, string] | null>;
  /** Whether any statement parses on its own at the top level (the syntax filter may then check neighbours). */
  readonly standaloneStatements?: boolean;
}

const set = (...items: string[]): ReadonlySet<string> => new Set(items);

const C_FAMILY_COMPARISONS = ["<", "<=", ">", ">=", "==", "!="];
const C_FAMILY_ARITHMETIC = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&&", "||"];
const C_FAMILY_ASSIGNMENTS = ["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="];

const JS_KEYWORDS = set(
  ..."break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof let new null return super switch this throw true try typeof undefined var void while with yield async await of static get set".split(
    " ",
  ),
);
const TS_KEYWORDS = set(
  ...JS_KEYWORDS,
  ..."interface type enum implements private protected public readonly declare abstract as is keyof namespace number string boolean any unknown never".split(
    " ",
  ),
);

function javascriptLike(keywords: ReadonlySet<string>, extraPrimary: string[]): LanguageSyntax {
  return {
    binaryParents: set("binary_expression"),
    binaryOperators: set(...C_FAMILY_COMPARISONS, ...C_FAMILY_ARITHMETIC, "===", "!==", "**", ">>>", "??"),
    assignmentParents: set("assignment_expression", "augmented_assignment_expression"),
    assignmentOperators: set(...C_FAMILY_ASSIGNMENTS, "**=", ">>>=", "&&=", "||=", "??="),
    updateParents: set("update_expression"),
    integerLiterals: set("number"),
    booleanLiterals: set("true", "false"),
    trueWord: "true",
    falseWord: "false",
    nullWord: "null",
    andWord: "&&",
    orWord: "||",
    notTypes: set("unary_expression"),
    notToken: "!",
    negate: (x) => `!${x}`,
    isNull: (x) => `${x} == null`,
    isNotNull: (x) => `${x} != null`,
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
    ifLines: (c, body, indent, unit) =>
      body.length === 1
        ? [`${indent}if (${c}) ${body[0]!.trim()}`]
        : [`${indent}if (${c}) {`, ...body.map((l) => indent + unit + l), `${indent}}`],
    fallbackReturns: ["null", "undefined", "false", "true", "0", "-1"],
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

const C_KEYWORDS = set(
  ..."auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while bool true false NULL".split(
    " ",
  ),
);
const CPP_KEYWORDS = set(
  ...C_KEYWORDS,
  ..."class namespace template typename public private protected virtual override this new delete nullptr using try catch throw operator friend constexpr auto std const_cast static_cast dynamic_cast reinterpret_cast".split(
    " ",
  ),
);

function cLike(id: "c" | "cpp"): LanguageSyntax {
  const nullWord = id === "c" ? "NULL" : "nullptr";
  return {
    binaryParents: set("binary_expression"),
    binaryOperators: set(...C_FAMILY_COMPARISONS, ...C_FAMILY_ARITHMETIC),
    assignmentParents: set("assignment_expression"),
    assignmentOperators: set(...C_FAMILY_ASSIGNMENTS),
    updateParents: set("update_expression"),
    integerLiterals: set("number_literal"),
    booleanLiterals: set("true", "false"),
    trueWord: "true",
    falseWord: "false",
    nullWord,
    andWord: "&&",
    orWord: "||",
    notTypes: set("unary_expression"),
    notToken: "!",
    negate: (x) => `!${x}`,
    isNull: (x) => `${x} == ${nullWord}`,
    isNotNull: (x) => `${x} != ${nullWord}`,
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
    ifLines: (c, body, indent, unit) =>
      body.length === 1
        ? [`${indent}if (${c}) ${body[0]!.trim()}`]
        : [`${indent}if (${c}) {`, ...body.map((l) => indent + unit + l), `${indent}}`],
    fallbackReturns: id === "c" ? ["0", "-1", "NULL", "1"] : ["0", "-1", "nullptr", "false", "true"],
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

const PYTHON: LanguageSyntax = {
  binaryParents: set("binary_operator", "comparison_operator", "boolean_operator"),
  binaryOperators: set(
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "&",
    "|",
    "^",
    "<<",
    ">>",
    "and",
    "or",
    "is",
    "is not",
    "in",
    "not in",
  ),
  assignmentParents: set("assignment", "augmented_assignment"),
  assignmentOperators: set("=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>="),
  updateParents: set(),
  integerLiterals: set("integer"),
  booleanLiterals: set("true", "false"),
  trueWord: "True",
  falseWord: "False",
  nullWord: "None",
  andWord: "and",
  orWord: "or",
  notTypes: set("not_operator"),
  notToken: "not",
  negate: (x) => `not ${x}`,
  isNull: (x) => `${x} is None`,
  isNotNull: (x) => `${x} is not None`,
  conditionOwners: new Map<string, ConditionSlot>([
    ["if_statement", { field: "condition" }],
    ["elif_clause", { field: "condition" }],
    ["while_statement", { field: "condition" }],
    ["conditional_expression", { namedIndex: 1 }],
    ["assert_statement", { namedIndex: 0 }],
  ]),
  conditionWrappers: set("parenthesized_expression"),
  calls: new Map([["call", { callee: "function", arguments: "arguments" }]]),
  memberAccess: new Map([["attribute", { object: "object", property: "attribute" }]]),
  subscripts: new Map([["subscript", "subscript"]]),
  boundContainers: set("slice"),
  boundCallees: set("range", "xrange"),
  returnTypes: set("return_statement"),
  variableTypes: set("identifier"),
  propertyTypes: set(),
  parameterContainers: set("parameters", "lambda_parameters", "default_parameter", "typed_parameter"),
  primaryTypes: set(
    "identifier",
    "attribute",
    "subscript",
    "call",
    "integer",
    "float",
    "string",
    "true",
    "false",
    "none",
    "parenthesized_expression",
    "list",
    "dictionary",
    "tuple",
    "set",
  ),
  loopTypes: set("for_statement", "while_statement"),
  blockTypes: set("block", "module"),
  emptyStatement: "pass",
  terminator: "",
  ifLines: (c, body, indent, unit) => [`${indent}if ${c}:`, ...body.map((l) => indent + unit + l)],
  fallbackReturns: ["None", "False", "True", "0", "-1", "[]"],
  simpleStatements: set("expression_statement"),
  lengthOf: (x) => `len(${x})`,
  keywords: set(
    ..."False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self cls print len range".split(
      " ",
    ),
  ),
  // A slice that starts at `def`/`class` puts the header at column 0 and the body deeper, which is valid
  // Python wherever the definition sat; other compound statements may have `else:` at the header's column.
  parseUnits: new Map<string, readonly [string, string] | null>([
    ["function_definition", null],
    ["class_definition", null],
  ]),
};

const JAVA: LanguageSyntax = {
  binaryParents: set("binary_expression"),
  binaryOperators: set(...C_FAMILY_COMPARISONS, ...C_FAMILY_ARITHMETIC, ">>>"),
  assignmentParents: set("assignment_expression"),
  assignmentOperators: set(...C_FAMILY_ASSIGNMENTS, ">>>="),
  updateParents: set("update_expression"),
  integerLiterals: set("decimal_integer_literal"),
  booleanLiterals: set("true", "false"),
  trueWord: "true",
  falseWord: "false",
  nullWord: "null",
  andWord: "&&",
  orWord: "||",
  notTypes: set("unary_expression"),
  notToken: "!",
  negate: (x) => `!${x}`,
  isNull: (x) => `${x} == null`,
  isNotNull: (x) => `${x} != null`,
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
  ifLines: (c, body, indent, unit) =>
    body.length === 1
      ? [`${indent}if (${c}) ${body[0]!.trim()}`]
      : [`${indent}if (${c}) {`, ...body.map((l) => indent + unit + l), `${indent}}`],
  fallbackReturns: ["null", "0", "-1", "false", "true"],
  simpleStatements: set("expression_statement"),
  lengthOf: (x) => `${x}.length`,
  keywords: set(
    ..."abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null var String".split(
      " ",
    ),
  ),
  parseUnits: new Map<string, readonly [string, string] | null>([
    ["method_declaration", ["class __RepairUnit {\n", "\n}"]],
    ["constructor_declaration", ["class __RepairUnit {\n", "\n}"]],
    ["lambda_expression", ["class __RepairUnit { Object unit = ", "; }"]],
    ["class_declaration", null],
  ]),
};

const GO: LanguageSyntax = {
  binaryParents: set("binary_expression"),
  binaryOperators: set(...C_FAMILY_COMPARISONS, ...C_FAMILY_ARITHMETIC, "&^"),
  assignmentParents: set("assignment_statement"),
  assignmentOperators: set(...C_FAMILY_ASSIGNMENTS, "&^="),
  updateParents: set("inc_statement", "dec_statement"),
  integerLiterals: set("int_literal"),
  booleanLiterals: set("true", "false"),
  trueWord: "true",
  falseWord: "false",
  nullWord: "nil",
  andWord: "&&",
  orWord: "||",
  notTypes: set("unary_expression"),
  notToken: "!",
  negate: (x) => `!${x}`,
  isNull: (x) => `${x} == nil`,
  isNotNull: (x) => `${x} != nil`,
  conditionOwners: new Map([
    ["if_statement", { field: "condition" }],
    ["for_clause", { field: "condition" }],
  ]),
  conditionWrappers: set("parenthesized_expression"),
  calls: new Map([["call_expression", { callee: "function", arguments: "arguments" }]]),
  memberAccess: new Map([["selector_expression", { object: "operand", property: "field" }]]),
  subscripts: new Map([["index_expression", "index"]]),
  boundContainers: set("slice_expression"),
  boundCallees: set(),
  returnTypes: set("return_statement"),
  variableTypes: set("identifier"),
  propertyTypes: set("field_identifier"),
  parameterContainers: set("parameter_list", "parameter_declaration", "variadic_parameter_declaration"),
  primaryTypes: set(
    "identifier",
    "selector_expression",
    "index_expression",
    "call_expression",
    "int_literal",
    "interpreted_string_literal",
    "raw_string_literal",
    "true",
    "false",
    "nil",
    "parenthesized_expression",
  ),
  loopTypes: set("for_statement"),
  blockTypes: set("block", "statement_list", "source_file"),
  terminator: "",
  ifLines: (c, body, indent, unit) => [`${indent}if ${c} {`, ...body.map((l) => indent + unit + l), `${indent}}`],
  fallbackReturns: ["nil", "0", "-1", "false", "true", '""'],
  simpleStatements: set("expression_statement", "assignment_statement", "inc_statement", "dec_statement"),
  lengthOf: (x) => `len(${x})`,
  keywords: set(
    ..."break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var nil true false len cap append make new".split(
      " ",
    ),
  ),
  parseUnits: new Map<string, readonly [string, string] | null>([
    ["function_declaration", null],
    ["method_declaration", null],
    ["func_literal", ["var _ = ", ""]],
  ]),
};

const RUST: LanguageSyntax = {
  binaryParents: set("binary_expression"),
  binaryOperators: set(...C_FAMILY_COMPARISONS, ...C_FAMILY_ARITHMETIC),
  assignmentParents: set("assignment_expression", "compound_assignment_expr"),
  assignmentOperators: set(...C_FAMILY_ASSIGNMENTS),
  updateParents: set(),
  integerLiterals: set("integer_literal"),
  booleanLiterals: set("boolean_literal"),
  trueWord: "true",
  falseWord: "false",
  nullWord: "None",
  andWord: "&&",
  orWord: "||",
  notTypes: set("unary_expression"),
  notToken: "!",
  negate: (x) => `!${x}`,
  isNull: (x) => `${x}.is_none()`,
  isNotNull: (x) => `${x}.is_some()`,
  conditionOwners: new Map([
    ["if_expression", { field: "condition" }],
    ["while_expression", { field: "condition" }],
  ]),
  conditionWrappers: set("parenthesized_expression"),
  calls: new Map([["call_expression", { callee: "function", arguments: "arguments" }]]),
  memberAccess: new Map([["field_expression", { object: "value", property: "field" }]]),
  subscripts: new Map([["index_expression", undefined]]),
  boundContainers: set("range_expression"),
  boundCallees: set(),
  returnTypes: set("return_expression"),
  variableTypes: set("identifier"),
  propertyTypes: set("field_identifier"),
  parameterContainers: set("parameters", "parameter", "closure_parameters"),
  primaryTypes: set(
    "identifier",
    "field_expression",
    "index_expression",
    "call_expression",
    "integer_literal",
    "string_literal",
    "char_literal",
    "boolean_literal",
    "parenthesized_expression",
    "macro_invocation",
    "self",
    "scoped_identifier",
  ),
  loopTypes: set("for_expression", "while_expression", "loop_expression"),
  blockTypes: set("block", "source_file"),
  terminator: ";",
  ifLines: (c, body, indent, unit) => [`${indent}if ${c} {`, ...body.map((l) => indent + unit + l), `${indent}}`],
  fallbackReturns: ["None", "0", "-1", "false", "true"],
  simpleStatements: set("expression_statement"),
  lengthOf: (x) => `${x}.len()`,
  keywords: set(
    ..."as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while Some None Ok Err".split(
      " ",
    ),
  ),
  parseUnits: new Map<string, readonly [string, string] | null>([
    ["function_item", null],
    ["impl_item", null],
    ["closure_expression", ["fn unit() { let _ = ", "; }"]],
  ]),
};

const TABLE: Readonly<Record<LanguageId, LanguageSyntax>> = {
  python: PYTHON,
  javascript: javascriptLike(JS_KEYWORDS, []),
  typescript: javascriptLike(TS_KEYWORDS, ["non_null_expression"]),
  tsx: javascriptLike(TS_KEYWORDS, ["non_null_expression"]),
  java: JAVA,
  c: cLike("c"),
  cpp: cLike("cpp"),
  go: GO,
  rust: RUST,
};

export function syntaxFor(id: LanguageId): LanguageSyntax {
  return TABLE[id];
}
