/**
 * What the template engine needs to know about each grammar. Node types and field names differ per grammar (they
 * were read from each package's src/node-types.json and checked on sample parses), and so does the surface syntax
 * the engine writes (negation, null checks, guards). Mutations consult this shape and never name a grammar's node
 * type themselves.
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
