// The candidate families of issue 17 that generalise beyond any one bug: a literal replaced by an in-scope
// expression of the same role, a statement copied from the same function (as it stands and renamed), null and bounds
// checks before a dereference or an index, parameterised SQL instead of string-built SQL, and conditions expanded
// with in-scope boolean expressions or an empty-sequence guard. Each runs the engine's full candidate pipeline
// (built-in engine only) on small snippets in several languages: the list must hold the expected edit, of the
// expected kind, and stay bounded.
import { describe, expect, it } from "vitest";
import type { LanguageId } from "../../grammars/languages.js";
import { defaultConfig } from "../../server/core/config-schema.js";
import { builtinCandidates, showCandidates } from "./hunk-fixture.js";

interface FamilyCase {
  readonly name: string;
  readonly language: LanguageId;
  readonly source: string;
  readonly at: { readonly first: string } | { readonly insertBefore: string };
  readonly fix: string;
  readonly kind: string;
}

const CASES: FamilyCase[] = [
  // 1. A literal replaced by an in-scope expression of the same role.
  {
    name: "python: return False -> a comparison the function already makes",
    language: "python",
    source:
      "def over_budget(costs, limit):\n    total = sum(costs)\n    if total > limit:\n        print('over')\n    return False\n",
    at: { first: "return False" },
    fix: "    return total > limit",
    kind: "expression",
  },
  {
    name: "java: return false -> a comparison of the method",
    language: "java",
    source:
      "class Quota {\n    static boolean exceeded(int used, int quota) {\n        if (used > quota) {\n            System.out.println(used);\n        }\n        return false;\n    }\n}\n",
    at: { first: "return false;" },
    fix: "        return used > quota;",
    kind: "expression",
  },
  {
    name: "go: a zero result -> the accumulated count",
    language: "go",
    source:
      "package tally\n\nfunc Count(xs []int, limit int) int {\n\tn := 0\n\tfor _, x := range xs {\n\t\tif x > limit {\n\t\t\tn = n + 1\n\t\t}\n\t}\n\treturn 0\n}\n",
    at: { first: "return 0" },
    fix: "\treturn n",
    kind: "expression",
  },
  {
    name: "javascript: an empty list passed on -> the list the function iterates",
    language: "javascript",
    source:
      "export function report(rows, print) {\n  for (const row of rows) {\n    print(row);\n  }\n  return summarise([]);\n}\n",
    at: { first: "return summarise([]);" },
    fix: "  return summarise(rows);",
    kind: "expression",
  },
  // 2. A statement copied from the same function, as it stands and renamed.
  {
    name: "python: a counter update copied into the other branch",
    language: "python",
    source:
      "def tally(words):\n    counts = {}\n    seen = 0\n    for word in words:\n        if word in counts:\n            counts[word] += 1\n            seen += 1\n        else:\n            counts[word] = 1\n    return counts, seen\n",
    at: { first: "counts[word] = 1" },
    fix: "            counts[word] = 1\n            seen += 1",
    kind: "copy",
  },
  {
    name: "c: a total copied from the first loop and renamed to the second loop's array",
    language: "c",
    source:
      "#include <string.h>\n\nint total_len(const char **names, const char **aliases, int n) {\n    int total = 0;\n    for (int i = 0; i < n; i++) {\n        total += strlen(names[i]);\n    }\n    for (int i = 0; i < n; i++) {\n        if (aliases[i] == NULL) continue;\n    }\n    return total;\n}\n",
    at: { first: "if (aliases[i] == NULL) continue;" },
    fix: "        if (aliases[i] == NULL) continue;\n        total += strlen(aliases[i]);",
    kind: "copy",
  },
  {
    name: "javascript: a cache write copied and renamed to the hunk's names",
    language: "javascript",
    source:
      "export function lookup(cache, key, load) {\n  if (!cache.has(key)) {\n    const fresh = load(key);\n    cache.set(key, fresh);\n    return fresh;\n  }\n  const value = cache.get(key);\n  return value;\n}\n",
    at: { first: "const value = cache.get(key);" },
    fix: "  const value = cache.get(key);\n  cache.set(key, value);",
    kind: "copy",
  },
  // 3. Security fixes: null checks before a dereference, bounds checks before an index, parameterised SQL.
  {
    name: "go: a nil check before the dereference",
    language: "go",
    source:
      "package conf\n\ntype Config struct{ Port int }\n\nfunc PortOf(cfg *Config) int {\n\tif cfg.Port == 0 {\n\t\treturn 8080\n\t}\n\treturn cfg.Port\n}\n",
    at: { first: "return cfg.Port" },
    fix: "\tif cfg == nil {\n\t\treturn 8080\n\t}\n\treturn cfg.Port",
    kind: "guard",
  },
  {
    name: "python: a None check before the dereference",
    language: "python",
    source: "def first_word(text):\n    words = text.split()\n    return words[0]\n",
    at: { first: "words = text.split()" },
    fix: "    if text is None:\n        return None\n    words = text.split()",
    kind: "guard",
  },
  {
    name: "python: a bounds check before indexing",
    language: "python",
    source: "def nth(items, i):\n    return items[i]\n",
    at: { first: "return items[i]" },
    fix: "    if i >= len(items):\n        return None\n    return items[i]",
    kind: "bounds",
  },
  {
    name: "typescript: a bounds check before indexing",
    language: "typescript",
    source: "export function at(xs: number[], i: number): number | null {\n  return xs[i];\n}\n",
    at: { first: "return xs[i];" },
    fix: "  if (i >= xs.length) return null;\n  return xs[i];",
    kind: "bounds",
  },
  {
    name: "java: an array write only when the index is in range",
    language: "java",
    source: "class Hist {\n    static void add(int[] bins, int i) {\n        bins[i] += 1;\n    }\n}\n",
    at: { first: "bins[i] += 1;" },
    fix: "        if (i < bins.length) bins[i] += 1;",
    kind: "bounds",
  },
  {
    name: "c++: a vector index checked against size()",
    language: "cpp",
    source:
      "#include <vector>\n\nint add_at(const std::vector<int> &v, int i, int total) {\n    total += v[i];\n    return total;\n}\n",
    at: { first: "total += v[i];" },
    fix: "    if (i < v.size()) total += v[i];",
    kind: "bounds",
  },
  {
    name: "python: DB-API query built by concatenation",
    language: "python",
    source:
      'def user_id(cursor, name):\n    cursor.execute("SELECT id FROM users WHERE name = \'" + name + "\'")\n    return cursor.fetchone()\n',
    at: { first: "cursor.execute(" },
    fix: '    cursor.execute("SELECT id FROM users WHERE name = %s", (name,))',
    kind: "sql",
  },
  {
    name: "python: sqlite3 query built by an f-string",
    language: "python",
    source:
      "import sqlite3\n\n\ndef orders(conn, customer, status):\n    return conn.execute(f\"SELECT * FROM orders WHERE customer = '{customer}' AND status = '{status}'\").fetchall()\n",
    at: { first: "conn.execute(" },
    fix: '    return conn.execute("SELECT * FROM orders WHERE customer = ? AND status = ?", (customer, status)).fetchall()',
    kind: "sql",
  },
  {
    name: "javascript: node driver query built by concatenation",
    language: "javascript",
    source: 'export function byId(db, id, done) {\n  db.query("SELECT * FROM users WHERE id = " + id, done);\n}\n',
    at: { first: "db.query(" },
    fix: '  db.query("SELECT * FROM users WHERE id = ?", [id], done);',
    kind: "sql",
  },
  {
    name: "go: database/sql query built by concatenation",
    language: "go",
    source:
      'package store\n\nimport "database/sql"\n\nfunc Name(db *sql.DB, id string) (*sql.Rows, error) {\n\treturn db.Query("SELECT name FROM users WHERE id = \'" + id + "\'")\n}\n',
    at: { first: "db.Query(" },
    fix: '\treturn db.Query("SELECT name FROM users WHERE id = ?", id)',
    kind: "sql",
  },
  {
    name: "java: JDBC PreparedStatement with a placeholder and a setter",
    language: "java",
    source:
      'import java.sql.*;\n\nclass Users {\n    static ResultSet byName(Connection conn, String name) throws SQLException {\n        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = \'" + name + "\'");\n        return ps.executeQuery();\n    }\n}\n',
    at: { first: "conn.prepareStatement(" },
    fix: '        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?");\n        ps.setObject(1, name);',
    kind: "sql",
  },
  // 4. Conditions expanded with in-scope boolean expressions and empty-sequence guards.
  {
    name: "python: if x -> if x and <a comparison of the function>",
    language: "python",
    source:
      "def ship(order, stock):\n    ready = order.paid\n    if stock < order.qty:\n        return 'wait'\n    if ready:\n        return 'ship'\n    return 'hold'\n",
    at: { first: "if ready:" },
    fix: "    if ready and stock < order.qty:",
    kind: "condition",
  },
  {
    name: "python: an empty-sequence guard before indexing",
    language: "python",
    source: "def starts_with_zero(seq):\n    if seq[0] == 0:\n        return True\n    return False\n",
    at: { first: "if seq[0] == 0:" },
    fix: "    if not seq or seq[0] == 0:",
    kind: "guard",
  },
  {
    name: "javascript: a condition weakened with a boolean name in scope",
    language: "javascript",
    source:
      "export function visible(item, isAdmin) {\n  if (isAdmin) console.log('admin');\n  if (item.public) {\n    return true;\n  }\n  return false;\n}\n",
    at: { first: "if (item.public) {" },
    fix: "  if (item.public || isAdmin) {",
    kind: "condition",
  },
];

describe("candidate families that generalise", () => {
  it.each(CASES)("$name", async ({ language, source, at, fix, kind }) => {
    const candidates = await builtinCandidates(language, source, at);
    const found = candidates.find((c) => c.text === fix);
    expect(found, `fix ${JSON.stringify(fix)} not in:\n${showCandidates(candidates)}`).toBeDefined();
    expect(found!.editKind).toBe(kind);
    expect(candidates.length).toBeLessThanOrEqual(defaultConfig()["repair.candidatesPerHunk"]);
  });

  it("keeps a literal's alternatives bounded however many names are in scope", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `v${i}`);
    const source =
      "def many(" +
      names.join(", ") +
      "):\n" +
      names.map((n) => `    if ${n} > 1:\n        print(${n})\n`).join("") +
      "    return False\n";
    const candidates = await builtinCandidates("python", source, { first: "return False" });
    const expressions = candidates.filter((c) => c.editKind === "expression");
    expect(expressions.length).toBeGreaterThan(0);
    expect(expressions.length).toBeLessThanOrEqual(4);
  });

  it("leaves SQL alone when it is already parameterised or not SQL", async () => {
    const source =
      'def run(cursor, name):\n    cursor.execute("SELECT id FROM users WHERE name = %s", (name,))\n    cursor.execute("hello " + name)\n';
    for (const first of ['WHERE name = %s"', '"hello "']) {
      const candidates = await builtinCandidates("python", source, { first });
      expect(candidates.filter((c) => c.editKind === "sql")).toEqual([]);
    }
  });

  it("copies actions, never docstrings or jumps", async () => {
    const source =
      'def drain(queue, out):\n    """Moves every item."""\n    while queue:\n        item = queue.pop()\n        if item is None:\n            break\n        out.append(item)\n    return out\n';
    const candidates = await builtinCandidates("python", source, { first: "item = queue.pop()" });
    const copies = candidates.filter((c) => c.editKind === "copy").map((c) => c.text);
    expect(copies.some((t) => t.includes("out.append(item)"))).toBe(true);
    expect(copies.some((t) => /Moves every item|\bbreak\b|\breturn\b/.test(t))).toBe(false);
  });

  it("never bounds-checks a dictionary looked up by a key name", async () => {
    const source = "def price(prices, item):\n    return prices[item]\n";
    const candidates = await builtinCandidates("python", source, { first: "return prices[item]" });
    expect(candidates.filter((c) => c.editKind === "bounds")).toEqual([]);
  });
});
