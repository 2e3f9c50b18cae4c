import { describe, expect, it } from "vitest";
import type { LanguageId } from "../../grammars/languages.js";
import { withParse } from "../../grammars/parser.js";
import { enclosingFunction, statementsInRange, type FunctionSpan } from "../../grammars/syntax.js";
import { lineOf } from "./language-cases.js";

// Small one-purpose snippets for the query patterns that the per-language snippets in language-cases.ts do not reach.

/**
 * The forms a function's name takes in each language, beyond the ones the main snippets show. Each row asks about
 * the line that contains `at`; `name` is what enclosingFunction must report there, and null means that no function
 * encloses the line (a declaration without a body is not a function whose lines can be repaired).
 */
interface NamingCase {
  readonly id: LanguageId;
  readonly form: string;
  readonly source: string;
  readonly at: string;
  readonly name: string | null;
}

const NAMING_CASES: readonly NamingCase[] = [
  {
    id: "python",
    form: "a method",
    source: "class A:\n    def run(self):\n        return 1\n",
    at: "return 1",
    name: "run",
  },
  { id: "python", form: "an assigned lambda", source: "square = lambda x: x * x\n", at: "square", name: "square" },
  {
    id: "python",
    form: "an async decorated function",
    source: "@cached\nasync def fetch(url):\n    return await get(url)\n",
    at: "return await",
    name: "fetch",
  },
  {
    id: "javascript",
    form: "a generator",
    source: "function* numbers() {\n  yield 1;\n}\n",
    at: "yield 1",
    name: "numbers",
  },
  {
    id: "javascript",
    form: "an object method",
    source: "const o = {\n  run() {\n    return 1;\n  },\n};\n",
    at: "return 1",
    name: "run",
  },
  {
    id: "javascript",
    form: "an arrow function under an object key",
    source: "const o = {\n  go: (x) => {\n    return x;\n  },\n};\n",
    at: "return x",
    name: "go",
  },
  {
    id: "javascript",
    form: "a class field arrow function",
    source: "class A {\n  handle = () => {\n    return 1;\n  };\n}\n",
    at: "return 1",
    name: "handle",
  },
  {
    id: "javascript",
    form: "a function assigned to a property",
    source: "module.exports.run = function () {\n  return 1;\n};\n",
    at: "return 1",
    name: "module.exports.run",
  },
  {
    id: "javascript",
    form: "a private method",
    source: "class A {\n  #secret() {\n    return 1;\n  }\n}\n",
    at: "return 1",
    name: "#secret",
  },
  {
    id: "typescript",
    form: "a class field arrow function",
    source: "class A {\n  private handle = (): number => {\n    return 1;\n  };\n}\n",
    at: "return 1",
    name: "handle",
  },
  {
    id: "typescript",
    form: "an abstract method, which has no body",
    source: "abstract class A {\n  abstract size(): number;\n}\n",
    at: "abstract size",
    name: null,
  },
  {
    id: "tsx",
    form: "a component arrow function",
    source: "export const Row = (p: { n: number }) => {\n  return <td>{p.n}</td>;\n};\n",
    at: "return <td>",
    name: "Row",
  },
  {
    id: "java",
    form: "a record's compact constructor",
    source: "record P(int x) {\n    P {\n        if (x < 0) throw new IllegalArgumentException();\n    }\n}\n",
    at: "if (x < 0)",
    name: "P",
  },
  {
    id: "java",
    form: "an interface method, which has no body",
    source: "interface Sized {\n    int size();\n}\n",
    at: "int size",
    name: null,
  },
  {
    id: "c",
    form: "a function returning a pointer to a pointer",
    source: "char **split(char *s) {\n    return 0;\n}\n",
    at: "return 0",
    name: "split",
  },
  {
    id: "c",
    form: "a prototype, which has no body",
    source: "int helper(int x);\nint other(void) { return 0; }\n",
    at: "helper",
    name: null,
  },
  {
    id: "cpp",
    form: "a method defined in its class",
    source: "struct A {\n    int get() const {\n        return x;\n    }\n    int x;\n};\n",
    at: "return x",
    name: "get",
  },
  {
    id: "cpp",
    form: "a function returning a reference",
    source: "int &at(std::vector<int> &v, int i) {\n    return v[i];\n}\n",
    at: "return v[i]",
    name: "at",
  },
  {
    id: "cpp",
    form: "a destructor",
    source: "A::~A() {\n    release();\n}\n",
    at: "release()",
    name: "A::~A",
  },
  {
    id: "cpp",
    form: "an operator",
    source: "bool operator==(const A &a, const A &b) {\n    return a.x == b.x;\n}\n",
    at: "return a.x",
    name: "operator==",
  },
  {
    id: "cpp",
    form: "a conversion operator defined in its class",
    source: "struct A {\n    explicit operator bool() const {\n        return ok;\n    }\n    bool ok;\n};\n",
    at: "return ok",
    name: "operator bool() const",
  },
  {
    id: "cpp",
    form: "a conversion operator defined outside its class",
    source: "A::operator int() const {\n    return 1;\n}\n",
    at: "return 1",
    name: "A::operator int() const",
  },
  {
    id: "cpp",
    form: "a template function",
    source: "template <typename T>\nT twice(T x) {\n    return x + x;\n}\n",
    at: "return x + x",
    name: "twice",
  },
  {
    id: "go",
    form: "a function literal assigned with =",
    source: "package p\n\nvar f func() int\n\nfunc init() {\n\tf = func() int {\n\t\treturn 1\n\t}\n}\n",
    at: "return 1",
    name: "f",
  },
  {
    id: "go",
    form: "a generic function",
    source: "package p\n\nfunc Max[T int | float64](a, b T) T {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n",
    at: "return a",
    name: "Max",
  },
  {
    id: "rust",
    form: "a method of an impl block",
    source: "impl A {\n    pub fn get(&self) -> i32 {\n        self.x\n    }\n}\n",
    at: "self.x",
    name: "get",
  },
  {
    id: "rust",
    form: "a trait method without a default body",
    source: "trait Sized2 {\n    fn size(&self) -> usize;\n}\n",
    at: "fn size",
    name: null,
  },
  {
    id: "rust",
    form: "an async function",
    source: "async fn load(path: &str) -> String {\n    read(path).await\n}\n",
    at: "read(path)",
    name: "load",
  },
];

describe.each(NAMING_CASES)("$id: $form", ({ id, source, at, name }) => {
  it(name === null ? "is not a function" : `is named ${name}`, async () => {
    const line = lineOf(source, at);
    const found = await withParse(source, id, async (parsed): Promise<FunctionSpan | undefined> => {
      expect(parsed.errors).toEqual([]);
      return enclosingFunction(parsed, { startLine: line, endLine: line + 1 });
    });
    if (name === null) expect(found).toBeUndefined();
    else expect(found?.name).toBe(name);
  });
});

/**
 * Statement forms the main snippets do not show. Each row asks for the statements of the line that contains `at`
 * and expects their types, outermost first.
 */
interface StatementCase {
  readonly id: LanguageId;
  readonly form: string;
  readonly source: string;
  readonly at: string;
  readonly types: readonly string[];
}

const STATEMENT_CASES: readonly StatementCase[] = [
  {
    id: "python",
    form: "a match statement",
    source: "def f(x):\n    match x:\n        case 1:\n            return 2\n",
    at: "match x",
    types: ["match_statement"],
  },
  {
    id: "python",
    form: "an assertion",
    source: "assert x > 0, 'positive'\n",
    at: "assert",
    types: ["assert_statement"],
  },
  { id: "javascript", form: "a re-export", source: "export { a, b };\n", at: "export", types: ["export_statement"] },
  {
    id: "javascript",
    form: "an exported declaration",
    source: "export const limit = 10;\n",
    at: "limit",
    types: ["lexical_declaration"],
  },
  {
    id: "javascript",
    form: "a do-while loop",
    source: "do {\n  i--;\n} while (i > 0);\n",
    at: "do {",
    types: ["do_statement"],
  },
  {
    id: "typescript",
    form: "a switch",
    source: "switch (k) {\n  case 1:\n    break;\n}\n",
    at: "break;",
    types: ["switch_statement", "break_statement"],
  },
  {
    id: "tsx",
    form: "a try statement",
    source: "try {\n  run();\n} catch (e) {\n  log(e);\n}\n",
    at: "run();",
    types: ["try_statement", "expression_statement"],
  },
  {
    id: "java",
    form: "a constructor call to super",
    source: "class B extends A {\n    B() {\n        super(1);\n    }\n}\n",
    at: "super(1)",
    types: ["explicit_constructor_invocation"],
  },
  {
    id: "java",
    form: "a field with an initialiser",
    source: "class A {\n    private int size = 10;\n}\n",
    at: "size",
    types: ["field_declaration"],
  },
  {
    id: "c",
    form: "a goto",
    source: "void f(void) {\n    goto done;\ndone:\n    return;\n}\n",
    at: "goto",
    types: ["goto_statement"],
  },
  {
    id: "cpp",
    form: "a range-based for loop",
    source: "void f() {\n    for (int x : xs) use(x);\n}\n",
    at: "for (",
    types: ["for_range_loop", "expression_statement"],
  },
  {
    id: "go",
    form: "a channel send",
    source: "package p\n\nfunc f(c chan int) {\n\tc <- 1\n}\n",
    at: "c <- 1",
    types: ["send_statement"],
  },
  {
    id: "go",
    form: "a defer",
    source: "package p\n\nfunc f() {\n\tdefer close()\n}\n",
    at: "defer",
    types: ["defer_statement"],
  },
  {
    id: "rust",
    form: "a tail expression",
    source: "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    at: "a + b",
    types: ["binary_expression"],
  },
  {
    id: "rust",
    form: "a return statement",
    source: "fn f() -> i32 {\n    return 1;\n}\n",
    at: "return 1",
    types: ["expression_statement"],
  },
];

describe.each(STATEMENT_CASES)("$id: $form", ({ id, source, at, types }) => {
  it(`is captured as ${types.join(", ")}`, async () => {
    const line = lineOf(source, at);
    const found = await withParse(source, id, async (parsed) => {
      expect(parsed.errors).toEqual([]);
      return (await statementsInRange(parsed, { startLine: line, endLine: line + 1 })).map((node) => node.type);
    });
    expect(found).toEqual(types);
  });
});
