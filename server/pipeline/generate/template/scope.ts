import type { LanguageSyntax } from "./language-syntax.js";
import { childByField, descendants, namedChildren, textOf, type LiteNode } from "./lite-tree.js";

/**
 * The syntactic role of an identifier, so that a replacement keeps the role: a variable is replaced by another
 * variable, a method name by another method name, never one by the other.
 */
export type IdentifierRole = "variable" | "parameter" | "declaration" | "property" | "callee" | "method";

export interface NameStats {
  count: number;
  /** Rows where the name occurs, to prefer names used close to the edit. */
  readonly rows: number[];
  /** Argument counts seen for callees and methods. */
  readonly arities: Set<number>;
}

/** How a variable is used, so that a literal is replaced only by a name used the same way. */
export type NameUse = "indexed" | "iterated" | "arithmetic" | "compared" | "boolean";

/** A comparison written somewhere in the region, a ready-made boolean expression of in-scope names. */
export interface Comparison {
  readonly text: string;
  readonly row: number;
}

export interface Scope {
  readonly variables: Map<string, NameStats>;
  /** The uses seen of each variable (subscripted, iterated, in arithmetic, compared, holding a boolean). */
  readonly uses: Map<string, Set<NameUse>>;
  /** One-line comparisons of the region, in document order, each text once. */
  readonly comparisons: Comparison[];
  readonly properties: Map<string, NameStats>;
  readonly callees: Map<string, NameStats>;
  readonly methods: Map<string, NameStats>;
  /** Texts of values returned by the function's return statements, in order. */
  readonly returnValues: string[];
  /** Whether the function has a bare `return` (then value-less guards fit). */
  hasBareReturn: boolean;
}

/** Names that refer to the current object: replacing them is almost never a fix. */
const RECEIVER_NAMES = new Set(["self", "cls", "this"]);

export function isCallNode(syntax: LanguageSyntax, node: LiteNode | undefined): boolean {
  return node !== undefined && syntax.calls.has(node.type);
}

/** The callee node of a call (an identifier, or a member access for method calls). */
export function calleeOf(syntax: LanguageSyntax, call: LiteNode): LiteNode | undefined {
  const shape = syntax.calls.get(call.type);
  return shape ? childByField(call, shape.callee) : undefined;
}

export function argumentsOf(syntax: LanguageSyntax, call: LiteNode): LiteNode[] {
  const shape = syntax.calls.get(call.type);
  const list = shape ? childByField(call, shape.arguments) : undefined;
  return list ? namedChildren(list) : [];
}

export function roleOf(syntax: LanguageSyntax, node: LiteNode): IdentifierRole | undefined {
  const isVariableType = syntax.variableTypes.has(node.type);
  const isPropertyType = syntax.propertyTypes.has(node.type);
  if (!isVariableType && !isPropertyType) return undefined;
  const parent = node.parent;
  if (!parent) return "variable";
  const call = syntax.calls.get(parent.type);
  if (call && node.field === call.callee) {
    const hasReceiver = call.receiver !== undefined && childByField(parent, call.receiver) !== undefined;
    return hasReceiver ? "method" : "callee";
  }
  const member = syntax.memberAccess.get(parent.type);
  if (member && node.field === member.property) {
    const grand = parent.parent;
    const grandCall = grand ? syntax.calls.get(grand.type) : undefined;
    return grandCall && parent.field === grandCall.callee ? "method" : "property";
  }
  if (isPropertyType) return "property";
  for (let p: LiteNode | undefined = parent; p; p = p.parent) {
    if (syntax.parameterContainers.has(p.type)) return "parameter";
    if (syntax.blockTypes.has(p.type) || syntax.calls.has(p.type)) break;
  }
  // Names being declared (functions, classes, keyword arguments, `let` bindings) are not uses to replace.
  if (node.field === "name" || node.field === "pattern" || node.field === "declarator") return "declaration";
  return "variable";
}

function bump(map: Map<string, NameStats>, name: string, row: number, arity?: number): void {
  let stats = map.get(name);
  if (!stats) {
    stats = { count: 0, rows: [], arities: new Set() };
    map.set(name, stats);
  }
  stats.count++;
  stats.rows.push(row);
  if (arity !== undefined) stats.arities.add(arity);
}

/** Scans a region (the enclosing function, or a window of lines) once and indexes its names by role. */
export function collectScope(syntax: LanguageSyntax, source: string, root: LiteNode): Scope {
  const scope: Scope = {
    variables: new Map(),
    uses: new Map(),
    comparisons: [],
    properties: new Map(),
    callees: new Map(),
    methods: new Map(),
    returnValues: [],
    hasBareReturn: false,
  };
  // Names used only as receivers (`math.floor`, `Math.max`, `sort.Ints`) are modules, packages or classes,
  // not variables: they are dropped from the variable pool at the end.
  const plainUses = new Set<string>();
  const seenComparisons = new Set<string>();
  for (const node of descendants(root)) {
    if (syntax.binaryParents.has(node.type) && COMPARISON_OPERATORS.has(binaryOperator(node) ?? "")) {
      const text = textOf(source, node);
      if (!text.includes("\n") && text.length <= MAX_COMPARISON_CHARS && !seenComparisons.has(text)) {
        seenComparisons.add(text);
        scope.comparisons.push({ text, row: node.startRow });
      }
      const target = assignedName(source, node);
      if (target) addUse(scope, target, "boolean");
    } else if (syntax.booleanLiterals.has(node.type) || syntax.notTypes.has(node.type)) {
      const target = assignedName(source, node);
      if (target && (syntax.booleanLiterals.has(node.type) || binaryOperator(node) === syntax.notToken)) {
        addUse(scope, target, "boolean");
      }
    }
    if (syntax.returnTypes.has(node.type)) {
      const value = namedChildren(node)[0];
      if (value) scope.returnValues.push(textOf(source, value));
      else scope.hasBareReturn = true;
      continue;
    }
    const role = roleOf(syntax, node);
    if (!role) continue;
    const name = textOf(source, node);
    if (RECEIVER_NAMES.has(name) || syntax.keywords.has(name)) {
      if (role === "variable" || role === "parameter") continue;
    }
    if (role === "declaration" || ((role === "variable" || role === "parameter") && !isReceiver(syntax, node))) {
      plainUses.add(name);
    }
    switch (role) {
      case "variable":
      case "parameter":
        bump(scope.variables, name, node.startRow);
        if (role === "variable") {
          const use = useOf(syntax, node);
          if (use) addUse(scope, name, use);
          if (BOOLEAN_NAME.test(name.charAt(0).toLowerCase() + name.slice(1))) addUse(scope, name, "boolean");
        }
        break;
      case "property":
        bump(scope.properties, name, node.startRow);
        break;
      case "callee":
      case "method": {
        const call = role === "callee" ? node.parent : callOfMethodName(syntax, node);
        const arity = call ? argumentsOf(syntax, call).length : undefined;
        bump(role === "callee" ? scope.callees : scope.methods, name, node.startRow, arity);
        break;
      }
      case "declaration":
        break;
    }
  }
  for (const name of [...scope.variables.keys()]) if (!plainUses.has(name)) scope.variables.delete(name);
  return scope;
}

const COMPARISON_OPERATORS = new Set(["<", "<=", ">", ">=", "==", "!=", "===", "!==", "is", "is not", "in", "not in"]);
const ARITHMETIC_OPERATORS = new Set(["+", "-", "*", "/", "//", "%", "**"]);
const MAX_COMPARISON_CHARS = 50;
/** Names that say they hold a truth value (`isEmpty`, `has_next`, `found`, `ok`). */
const BOOLEAN_NAME =
  /^(is|has|can|should|was|were|did|does|found|ok|done|valid|enabled|allowed|matched|seen|changed)(?![a-z])/;
/** Fields that hold the target of an assignment or declaration, across the grammars. */
const TARGET_FIELDS = ["left", "name", "pattern"];
/** Fields under which an expression is the iterated collection of a loop, across the grammars. */
const ITERATED_FIELDS = new Set(["right", "value"]);

function binaryOperator(node: LiteNode): string | undefined {
  return node.children.find((c) => !c.named)?.type;
}

function addUse(scope: Scope, name: string, use: NameUse): void {
  let uses = scope.uses.get(name);
  if (!uses) {
    uses = new Set();
    scope.uses.set(name, uses);
  }
  uses.add(use);
}

/** The plain name a value is assigned to (`ok = a < b`, `let ok = a < b`), if the node is such a value. */
function assignedName(source: string, value: LiteNode): string | undefined {
  if (value.field !== "value" && value.field !== "right") return undefined;
  let owner = value.parent;
  // Go writes `ok := a < b` with expression lists on both sides.
  if (owner && owner.type === "expression_list") owner = owner.parent;
  if (!owner) return undefined;
  const target = owner.children.find((c) => c.field !== null && TARGET_FIELDS.includes(c.field));
  const text = target ? textOf(source, target) : "";
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text) ? text : undefined;
}

/** The use one occurrence of a variable makes: subscripted, iterated by a loop, in arithmetic, compared. */
function useOf(syntax: LanguageSyntax, node: LiteNode): NameUse | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  if (syntax.subscripts.has(parent.type) && namedChildren(parent)[0] === node) return "indexed";
  if ((syntax.loopTypes.has(parent.type) || parent.type === "range_clause") && ITERATED_FIELDS.has(node.field ?? "")) {
    return "iterated";
  }
  if (syntax.binaryParents.has(parent.type)) {
    const op = binaryOperator(parent) ?? "";
    if (ARITHMETIC_OPERATORS.has(op)) return "arithmetic";
    if (COMPARISON_OPERATORS.has(op)) return "compared";
  }
  return undefined;
}

/** Whether a node is the object of a member access or the receiver of a method call. */
export function isReceiver(syntax: LanguageSyntax, node: LiteNode): boolean {
  const parent = node.parent;
  if (!parent) return false;
  const member = syntax.memberAccess.get(parent.type);
  if (member && node.field === member.object) return true;
  const call = syntax.calls.get(parent.type);
  return call?.receiver !== undefined && node.field === call.receiver;
}

/** The call a method name belongs to: its parent (Java's method_invocation) or its grandparent. */
export function callOfMethodName(syntax: LanguageSyntax, name: LiteNode): LiteNode | undefined {
  if (name.parent && syntax.calls.has(name.parent.type)) return name.parent;
  const grand = name.parent?.parent;
  return grand && syntax.calls.has(grand.type) ? grand : undefined;
}

/**
 * Callee and method names used in lines near the region but outside it: a cheap textual scan (`name(` and
 * `.name(`), since "used nearby" needs no tree and the region's own calls are already in the scope.
 */
export function nearbyCallNames(
  lines: readonly string[],
  fromLine: number,
  toLine: number,
  keywords: ReadonlySet<string>,
): { callees: Map<string, number>; methods: Map<string, number> } {
  const callees = new Map<string, number>();
  const methods = new Map<string, number>();
  const pattern = /(\.|::|->)?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
  for (let i = Math.max(0, fromLine); i < Math.min(lines.length, toLine); i++) {
    for (const match of lines[i]!.matchAll(pattern)) {
      const name = match[2]!;
      if (keywords.has(name) && name !== "len" && name !== "range" && name !== "print") continue;
      if (/^(if|for|while|switch|catch|return|function|def|fn|func)$/.test(name)) continue;
      const target = match[1] === "." || match[1] === "->" ? methods : callees;
      target.set(name, (target.get(name) ?? 0) + 1);
    }
  }
  return { callees, methods };
}

/** Distance in lines from `row` to the closest use of a name; names used close by are likelier substitutes. */
export function proximity(stats: NameStats, row: number): number {
  let best = Infinity;
  for (const r of stats.rows) best = Math.min(best, Math.abs(r - row));
  return best;
}
