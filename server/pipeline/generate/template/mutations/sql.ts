import { code, type TemplateEdit } from "../edits.js";
import { ancestors, namedChildren, textOf, type LiteNode } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { argumentsOf, calleeOf } from "../scope.js";

/** Calls that run SQL text in the common database APIs (DB-API, JDBC, node drivers, database/sql). */
const SQL_CALLS = new Set([
  "execute",
  "executemany",
  "query",
  "Query",
  "QueryRow",
  "QueryContext",
  "QueryRowContext",
  "Exec",
  "ExecContext",
  "prepare",
  "Prepare",
  "prepareStatement",
  "run",
  "all",
]);
/** Text that makes a string SQL rather than any other message. */
const SQL_TEXT = /\b(select|insert|update|delete|where|values)\b/i;
const STRING_LITERAL = /^([rRuUbB]{0,2})("""|'''|"|'|`)([\s\S]*)\2$/;

/** A piece of string-built SQL: literal text, or an expression spliced into it. */
type Piece = { readonly literal: string } | { readonly expression: string };

function literalContent(text: string): { quote: string; content: string } | undefined {
  const match = STRING_LITERAL.exec(text);
  if (!match || match[2] === "`") return undefined;
  return { quote: match[2]!, content: match[3]! };
}

function operatorOf(node: LiteNode): string | undefined {
  return node.children.find((c) => !c.named)?.type;
}

/** The pieces of `"..." + v + "..."`, of an f-string or template string, or of `"... %s" % (a, b)`. */
function piecesOf(input: MutationInput, node: LiteNode): { pieces: Piece[]; quote: string } | undefined {
  const { syntax, source } = input;
  const text = textOf(source, node);
  if (syntax.binaryParents.has(node.type) && operatorOf(node) === "+") {
    const pieces: Piece[] = [];
    let quote = '"';
    const walk = (n: LiteNode): boolean => {
      if (syntax.binaryParents.has(n.type) && operatorOf(n) === "+") return namedChildren(n).every(walk);
      const literal = literalContent(textOf(source, n));
      if (literal && !/^[rRbBuU]*[fF]/.test(textOf(source, n))) {
        quote = literal.quote;
        pieces.push({ literal: literal.content });
      } else {
        pieces.push({ expression: textOf(source, n) });
      }
      return true;
    };
    walk(node);
    return { pieces, quote };
  }
  // Python f-strings and JavaScript template strings: `{expr}` / `${expr}` holes.
  const fString = /^[rR]?[fF][rR]?("""|'''|"|')([\s\S]*)\1$/.exec(text);
  const template = /^`([\s\S]*)`$/.exec(text);
  if (fString || template) {
    const body = fString ? fString[2]! : template![1]!;
    const hole = fString ? /\{([^{}]+)\}/g : /\$\{([^{}]+)\}/g;
    const pieces: Piece[] = [];
    let last = 0;
    for (const match of body.matchAll(hole)) {
      pieces.push({ literal: body.slice(last, match.index) });
      // A format spec or conversion (`{x!r}`, `{n:>3}`) is not part of the value.
      pieces.push({ expression: match[1]!.replace(/(![rsa])?(:[^\]]*)?$/, "").trim() });
      last = match.index + match[0].length;
    }
    pieces.push({ literal: body.slice(last) });
    return { pieces, quote: fString ? (fString[1]!.length === 1 ? fString[1]! : '"') : '"' };
  }
  // Python's `"... %s ..." % (a, b)`.
  if (syntax.binaryParents.has(node.type) && operatorOf(node) === "%") {
    const [left, right] = namedChildren(node);
    const literal = left ? literalContent(textOf(source, left)) : undefined;
    if (!literal || !right) return undefined;
    const values =
      right.type === "tuple" ? namedChildren(right).map((v) => textOf(source, v)) : [textOf(source, right)];
    const parts = literal.content.split(/%[sdrf]/);
    if (parts.length !== values.length + 1) return undefined;
    const pieces: Piece[] = [];
    parts.forEach((part, i) => {
      pieces.push({ literal: part });
      if (i < values.length) pieces.push({ expression: values[i]! });
    });
    return { pieces, quote: literal.quote };
  }
  return undefined;
}

/** The SQL with one placeholder per spliced value (quotes around a value dropped), and the values in order. */
function parameterise(pieces: readonly Piece[], placeholder: (n: number) => string): { sql: string; values: string[] } {
  let sql = "";
  const values: string[] = [];
  pieces.forEach((piece, i) => {
    if ("literal" in piece) {
      let text = piece.literal;
      // `'...'` around a spliced value is the quoting the placeholder takes over.
      const before = pieces[i - 1];
      if (before && "expression" in before) text = text.replace(/^['"]/, "");
      const after = pieces[i + 1];
      if (after && "expression" in after) text = text.replace(/['"]$/, "");
      sql += text;
    } else {
      values.push(piece.expression);
      sql += placeholder(values.length);
    }
  });
  return { sql, values };
}

interface Style {
  readonly placeholder: (n: number) => string;
  readonly weight: number;
}

/** Placeholder styles by language, the driver the file names first (sqlite3 `?`, psycopg `%s`, pg `$1`). */
function stylesFor(input: MutationInput): Style[] {
  const question = (): string => "?";
  const dollar = (n: number): string => `$${n}`;
  const { language, source } = input;
  if (language === "python") {
    const sqlite = /\bsqlite3\b/.test(source);
    return [
      { placeholder: question, weight: sqlite ? 1 : 0.8 },
      { placeholder: () => "%s", weight: sqlite ? 0.7 : 1 },
    ];
  }
  if (language === "javascript" || language === "typescript" || language === "tsx" || language === "go") {
    const postgres = /\b(pg|postgres|lib\/pq|pgx)\b/.test(source);
    return [
      { placeholder: question, weight: postgres ? 0.7 : 1 },
      { placeholder: dollar, weight: postgres ? 1 : 0.7 },
    ];
  }
  if (language === "java") return [{ placeholder: question, weight: 1 }];
  return [];
}

function escapeFor(quote: string, sql: string): string {
  return quote.length === 1 ? sql.split(quote).join(`\\${quote}`) : sql;
}

/** The statement holding a node: the nearest ancestor directly inside a block. */
function statementOf(input: MutationInput, node: LiteNode): LiteNode | undefined {
  return ancestors(node).find((a) => a.parent !== undefined && input.syntax.blockTypes.has(a.parent.type));
}

/**
 * String-built SQL passed to a database call, rewritten as a parameterised query: the values leave the text for
 * placeholders and travel as parameters (`cursor.execute("... = ?", (name,))`, `db.query("... = ?", [id])`,
 * `db.Query("... = $1", id)`; JDBC: `conn.prepareStatement("... = ?")` followed by `ps.setObject(1, id)`).
 * Only shapes recognisable from the syntax alone: the SQL built in the call's argument itself.
 */
export function sqlEdits(input: MutationInput): TemplateEdit[] {
  const { syntax, source, inHunk, language } = input;
  const edits: TemplateEdit[] = [];
  const styles = stylesFor(input);
  if (styles.length === 0) return edits;
  for (const call of inHunk) {
    if (!syntax.calls.has(call.type)) continue;
    const callee = calleeOf(syntax, call);
    const name = callee ? /([A-Za-z_]\w*)\s*$/.exec(textOf(source, callee))?.[1] : undefined;
    if (!name || !SQL_CALLS.has(name)) continue;
    const args = argumentsOf(syntax, call);
    const sqlIndex = args.findIndex((a) => SQL_TEXT.test(textOf(source, a)));
    const arg = args[sqlIndex];
    if (!arg) continue;
    const built = piecesOf(input, arg);
    if (!built || !built.pieces.some((p) => "expression" in p)) continue;
    // Python and Go take the values after the SQL as the last arguments; a call with more after it is not ours.
    if ((language === "python" || language === "go") && sqlIndex !== args.length - 1) continue;
    for (const style of styles) {
      const { sql, values } = parameterise(built.pieces, style.placeholder);
      const literal = `${built.quote}${escapeFor(built.quote, sql)}${built.quote}`;
      if (language === "java") {
        if (name !== "prepareStatement") continue;
        const statement = statementOf(input, call);
        const target = statement ? /(\w+)\s*=\s*[^=]*prepareStatement\s*\(/.exec(textOf(source, statement)) : null;
        if (!statement || !target) continue;
        const lineStart = source.lastIndexOf("\n", statement.start - 1) + 1;
        const indent = /^\s*/.exec(source.slice(lineStart, statement.start))?.[0] ?? "";
        const before = source.slice(statement.start, arg.start);
        const after = source.slice(arg.end, statement.end);
        const setters = values.map((v, i) => `\n${indent}${target[1]}.setObject(${i + 1}, ${v});`).join("");
        edits.push({
          start: statement.start,
          end: statement.end,
          replacement: `${before}${literal}${after}${setters}`,
          kind: "sql",
          description: `parameterised query: ${code(literal)} with ${values.map(code).join(", ")}`,
          weight: style.weight,
        });
        continue;
      }
      const params =
        language === "python"
          ? `(${values.join(", ")}${values.length === 1 ? "," : ""})`
          : language === "go"
            ? values.join(", ")
            : `[${values.join(", ")}]`;
      const replacement = `${literal}, ${params}`;
      edits.push({
        start: arg.start,
        end: arg.end,
        replacement,
        kind: "sql",
        description: `parameterised query: ${code(replacement)}`,
        weight: style.weight,
      });
    }
  }
  return edits;
}
