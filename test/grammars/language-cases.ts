import type { LanguageId } from "../../grammars/languages.js";

/**
 * One realistic snippet per language and what the syntax helpers must find in it. Lines are named by a piece of
 * their text rather than by number, so that editing a snippet cannot silently shift what a case refers to;
 * lineOf() insists that the piece names exactly one line.
 */
export interface FunctionExpectation {
  /** Text on a line inside the function. */
  readonly inside: string;
  /** The name enclosingFunction must report; undefined for anonymous functions. */
  readonly name: string | undefined;
  /** Text on the function's first line, and a pattern for its last line: the first line from there that matches. */
  readonly first: string;
  readonly last: string | RegExp;
}

export interface LanguageCase {
  readonly id: LanguageId;
  /** A file name that languageForPath maps to this language. */
  readonly path: string;
  readonly source: string;
  /** A function that contains further functions, asked about a line that belongs to it alone. */
  readonly outer: FunctionExpectation;
  /** A named function nested in the outer one (a GCC nested function in C). */
  readonly nested: FunctionExpectation;
  /** An anonymous function inside the outer one; C has none. */
  readonly anonymous?: FunctionExpectation;
  /** A line outside every function. */
  readonly topLevel: string;
  /** The lines from `from` to `to` inclusive, and the statement types expected there, in document order. */
  readonly statements: { readonly from: string; readonly to: string; readonly types: readonly string[] };
  /** A line and its identifiers in first-use order. */
  readonly identifiers: { readonly line: string; readonly expected: readonly string[] };
  /** The exact text of a comment and of a string literal in the snippet. */
  readonly comment: string;
  readonly string: string;
}

/** The 0-based line of the one line that contains piece. */
export function lineOf(source: string, piece: string): number {
  const lines = source.split("\n");
  const found = lines.flatMap((line, index) => (line.includes(piece) ? [index] : []));
  if (found.length !== 1) throw new Error(`"${piece}" is on ${found.length} lines of the snippet, expected one`);
  return found[0] ?? -1;
}

/** The first line at or after from that contains piece (a string) or matches it (a pattern). */
export function nextLineOf(source: string, piece: string | RegExp, from: number): number {
  const lines = source.split("\n");
  const found = lines.findIndex(
    (line, index) => index >= from && (typeof piece === "string" ? line.includes(piece) : piece.test(line)),
  );
  if (found < 0) throw new Error(`no line from ${from} matches ${String(piece)}`);
  return found;
}

const PYTHON = `import os


def count_words(path, minimum=1):
    """Counts words that occur at least \`minimum\` times."""
    counts = {}
    # Read the file line by line.
    with open(path) as handle:
        for line in handle:
            for word in line.split():
                counts[word] = counts.get(word, 0) + 1

    def keep(item):
        word, n = item
        return n >= minimum

    if not counts:
        raise ValueError("empty file: " + path)
    ranked = sorted(filter(keep, counts.items()), key=lambda kv: -kv[1])
    while ranked and ranked[-1][1] < minimum:
        ranked.pop()
    return ranked


square = lambda x: x * x
print(count_words(os.sep))
`;

const JAVASCRIPT = `import { readFileSync } from "node:fs";

// Counts how often each word occurs in a file.
export function countWords(path, minimum = 1) {
  const counts = new Map();
  const text = readFileSync(path, "utf8");
  for (const word of text.split(/\\s+/)) {
    if (word === "") continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const keep = (entry) => {
    const [, n] = entry;
    return n >= minimum;
  };
  if (counts.size === 0) {
    throw new Error(\`empty file: \${path}\`);
  }
  let i = 0;
  while (i < 3) i++;
  return [...counts].filter(keep);
}

class Counter {
  total(items) {
    return items.reduce((a, b) => a + b, 0);
  }
}
console.log(countWords("words.txt"), new Counter());
`;

const TYPESCRIPT = `import { readFileSync } from "node:fs";

type Entry = [string, number];

// Counts how often each word occurs in a file.
export function countWords(path: string, minimum = 1): Entry[] {
  const counts = new Map<string, number>();
  const text: string = readFileSync(path, "utf8");
  for (const word of text.split(/\\s+/)) {
    if (word === "") continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const keep = (entry: Entry): boolean => {
    const [, n] = entry;
    return n >= minimum;
  };
  if (counts.size === 0) {
    throw new Error(\`empty file: \${path}\`);
  }
  let i = 0;
  while (i < 3) i++;
  return [...counts].filter(keep);
}

class Counter {
  private readonly start: number = 0;
  total(items: number[]): number {
    return items.reduce((a, b) => a + b, this.start);
  }
}
`;

const TSX = `import { useState } from "react";

interface Props {
  readonly words: string[];
}

// Shows each word with how often it occurs.
export function WordList({ words }: Props) {
  const [minimum, setMinimum] = useState<number>(1);
  const counts = new Map<string, number>();
  for (const word of words) {
    if (word === "") continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const keep = (entry: [string, number]): boolean => {
    const [, n] = entry;
    return n >= minimum;
  };
  if (counts.size === 0) {
    return <p className="empty">no words</p>;
  }
  return (
    <ul onClick={() => setMinimum(minimum + 1)}>
      {[...counts].filter(keep).map(([w, n]) => <li key={w}>{\`\${w}: \${n}\`}</li>)}
    </ul>
  );
}
const title = "Words";
`;

const JAVA = `import java.util.HashMap;
import java.util.Map;

public class WordCount {
    private final Map<String, Integer> counts = new HashMap<>();

    // Counts each word of the text.
    public int count(String text, int minimum) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        for (String word : text.split("\\\\s+")) {
            counts.merge(word, 1, Integer::sum);
        }
        Runnable report = () -> {
            int total = counts.size();
            System.out.println("words: " + total);
        };
        counts.keySet().removeIf(k -> k.isEmpty());
        int i = 0;
        while (i < minimum) {
            i++;
        }
        return counts.getOrDefault("the", 0);
    }

    public WordCount() {
        this.counts.put("", 0);
    }
}
`;

const C = `#include <stdio.h>
#include <string.h>

static int total = 0;

/* Counts the words of a line, at least minimum. */
int count_words(const char *line, int minimum) {
    int count = 0;
    int in_word = 0;
    int is_space(char ch) {
        return ch == ' ' || ch == '\\t';
    }
    for (size_t i = 0; i < strlen(line); i++) {
        if (is_space(line[i])) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            count++;
        }
    }
    while (count < minimum) count++;
    printf("words: %d\\n", count);
    total += count;
    return count;
}

char *greeting(void) { return "hello"; }
`;

const CPP = `#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace words {

// Counts each word and keeps those seen at least minimum times.
std::vector<std::string> Counter::frequent(const std::vector<std::string> &input, int minimum) {
    std::map<std::string, int> counts;
    for (const auto &word : input) {
        counts[word] += 1;
    }
    auto keep = [minimum](const std::pair<const std::string, int> &entry) {
        return entry.second >= minimum;
    };
    std::vector<std::string> result;
    for (auto it = counts.begin(); it != counts.end(); ++it) {
        if (keep(*it)) result.push_back(it->first);
    }
    if (result.empty()) {
        throw std::runtime_error("no frequent words");
    }
    std::sort(result.begin(), result.end(), [](const std::string &a, const std::string &b) { return a > b; });
    return result;
}

const char *name = R"(raw "words")";
}  // namespace words
`;

const GO = `package words

import (
\t"fmt"
\t"strings"
)

// Count returns how often each word occurs at least minimum times.
func Count(text string, minimum int) map[string]int {
\tcounts := map[string]int{}
\tdefer func() { _ = recover() }()
\tfor _, word := range strings.Fields(text) {
\t\tcounts[word]++
\t}
\tkeep := func(n int) bool {
\t\treturn n >= minimum
\t}
\tfor word, n := range counts {
\t\tif !keep(n) {
\t\t\tdelete(counts, word)
\t\t}
\t}
\tif len(counts) == 0 {
\t\tfmt.Println("no words in", \`raw text\`)
\t}
\treturn counts
}

func (c *Counter) Reset() { c.total = 0 }
var sep = ' '
`;

const RUST = `use std::collections::HashMap;

/// Counts how often each word occurs at least \`minimum\` times.
pub fn count_words(text: &str, minimum: usize) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    // Split on whitespace only.
    for word in text.split_whitespace() {
        *counts.entry(word.to_string()).or_insert(0) += 1;
    }
    let keep = |n: &usize| {
        let limit = minimum;
        *n >= limit
    };
    counts.retain(|_, n| keep(n));
    if counts.is_empty() {
        println!("no words in {}", "input");
    }
    let mut i = 0;
    while i < 3 {
        i += 1;
    }
    return counts;
}

impl Counter {
    fn reset(&mut self) { self.total = 0; }
}
static NAME: &str = r"raw";
`;

export const LANGUAGE_CASES: readonly LanguageCase[] = [
  {
    id: "python",
    path: "src/words.py",
    source: PYTHON,
    outer: { inside: "counts = {}", name: "count_words", first: "def count_words", last: "return ranked" },
    nested: { inside: "word, n = item", name: "keep", first: "def keep", last: "return n >= minimum" },
    anonymous: { inside: "key=lambda kv", name: undefined, first: "key=lambda kv", last: "key=lambda kv" },
    topLevel: "print(count_words(os.sep))",
    statements: {
      from: "if not counts:",
      to: "while ranked",
      types: ["if_statement", "raise_statement", "expression_statement", "while_statement"],
    },
    identifiers: { line: "counts[word] = counts.get(word, 0) + 1", expected: ["counts", "word", "get"] },
    comment: "# Read the file line by line.",
    string: '"empty file: "',
  },
  {
    id: "javascript",
    path: "src/words.js",
    source: JAVASCRIPT,
    outer: { inside: "const counts = new Map();", name: "countWords", first: "export function", last: /^}$/ },
    nested: { inside: "const [, n] = entry;", name: "keep", first: "const keep =", last: "  };" },
    anonymous: { inside: "(a, b) => a + b", name: undefined, first: "(a, b) => a + b", last: "(a, b) => a + b" },
    topLevel: "console.log(countWords",
    statements: {
      from: "if (word ===",
      to: "counts.set(word",
      types: ["for_in_statement", "if_statement", "continue_statement", "expression_statement"],
    },
    identifiers: {
      line: "counts.set(word, (counts.get(word) ?? 0) + 1);",
      expected: ["counts", "set", "word", "get"],
    },
    comment: "// Counts how often each word occurs in a file.",
    string: "`empty file: ${path}`",
  },
  {
    id: "typescript",
    path: "src/words.ts",
    source: TYPESCRIPT,
    outer: { inside: "const text: string", name: "countWords", first: "export function", last: /^}$/ },
    nested: { inside: "const [, n] = entry;", name: "keep", first: "const keep =", last: "  };" },
    anonymous: { inside: "(a, b) => a + b", name: undefined, first: "(a, b) => a + b", last: "(a, b) => a + b" },
    topLevel: "type Entry =",
    statements: {
      from: "let i = 0;",
      to: "return [...counts]",
      types: ["lexical_declaration", "while_statement", "expression_statement", "return_statement"],
    },
    identifiers: { line: "const keep = (entry: Entry): boolean", expected: ["keep", "entry", "Entry"] },
    comment: "// Counts how often each word occurs in a file.",
    string: '"utf8"',
  },
  {
    id: "tsx",
    path: "src/WordList.tsx",
    source: TSX,
    outer: { inside: "useState<number>(1)", name: "WordList", first: "export function", last: /^}$/ },
    nested: { inside: "const [, n] = entry;", name: "keep", first: "const keep =", last: "  };" },
    anonymous: { inside: "onClick={() =>", name: undefined, first: "onClick={() =>", last: "onClick={() =>" },
    topLevel: "const title =",
    statements: {
      from: "if (counts.size === 0)",
      to: "return <p",
      types: ["if_statement", "return_statement"],
    },
    identifiers: {
      line: "counts.set(word, (counts.get(word) ?? 0) + 1);",
      expected: ["counts", "set", "word", "get"],
    },
    comment: "// Shows each word with how often it occurs.",
    string: '"empty"',
  },
  {
    id: "java",
    path: "src/main/java/WordCount.java",
    source: JAVA,
    outer: { inside: "int i = 0;", name: "count", first: "public int count(", last: /^ {4}}$/ },
    nested: { inside: "int total = counts.size();", name: "report", first: "Runnable report", last: "        };" },
    anonymous: { inside: "removeIf(k ->", name: undefined, first: "removeIf(k ->", last: "removeIf(k ->" },
    topLevel: "private final Map<String, Integer> counts",
    statements: {
      from: "if (text == null)",
      to: "for (String word",
      types: ["if_statement", "throw_statement", "enhanced_for_statement"],
    },
    identifiers: {
      line: 'System.out.println("words: " + total);',
      expected: ["System", "out", "println", "total"],
    },
    comment: "// Counts each word of the text.",
    string: '"text must not be null"',
  },
  {
    id: "c",
    path: "src/words.c",
    source: C,
    outer: { inside: "int in_word = 0;", name: "count_words", first: "int count_words(", last: /^}$/ },
    nested: { inside: "return ch == ' '", name: "is_space", first: "int is_space(", last: /^ {4}}$/ },
    topLevel: "static int total = 0;",
    statements: {
      from: "while (count < minimum)",
      to: "total += count;",
      types: ["while_statement", "expression_statement", "expression_statement", "expression_statement"],
    },
    identifiers: { line: "if (is_space(line[i])) {", expected: ["is_space", "line", "i"] },
    comment: "/* Counts the words of a line, at least minimum. */",
    string: '"words: %d\\n"',
  },
  {
    id: "cpp",
    path: "src/words.cpp",
    source: CPP,
    outer: {
      inside: "std::vector<std::string> result;",
      name: "Counter::frequent",
      first: "Counter::frequent(",
      last: /^}$/,
    },
    nested: { inside: "return entry.second", name: "keep", first: "auto keep =", last: "    };" },
    anonymous: { inside: "return a > b;", name: undefined, first: "std::sort(", last: "std::sort(" },
    topLevel: "const char *name",
    statements: {
      from: "if (result.empty())",
      to: "throw std::runtime_error",
      types: ["if_statement", "throw_statement"],
    },
    identifiers: {
      line: "if (keep(*it)) result.push_back(it->first);",
      expected: ["keep", "it", "result", "push_back", "first"],
    },
    comment: "// Counts each word and keeps those seen at least minimum times.",
    string: 'R"(raw "words")"',
  },
  {
    id: "go",
    path: "words/count.go",
    source: GO,
    outer: { inside: "counts := map[string]int{}", name: "Count", first: "func Count(", last: /^}$/ },
    nested: { inside: "return n >= minimum", name: "keep", first: "keep := func", last: /^\t}$/ },
    anonymous: { inside: "_ = recover()", name: undefined, first: "_ = recover()", last: "_ = recover()" },
    topLevel: "var sep",
    statements: {
      from: "if !keep(n)",
      to: "delete(counts, word)",
      types: ["for_statement", "if_statement", "expression_statement"],
    },
    identifiers: { line: "func (c *Counter) Reset()", expected: ["c", "Counter", "Reset", "total"] },
    comment: "// Count returns how often each word occurs at least minimum times.",
    string: "`raw text`",
  },
  {
    id: "rust",
    path: "src/words.rs",
    source: RUST,
    outer: { inside: "let mut counts", name: "count_words", first: "pub fn count_words", last: /^}$/ },
    nested: { inside: "let limit = minimum;", name: "keep", first: "let keep =", last: "    };" },
    anonymous: { inside: "counts.retain(|_, n|", name: undefined, first: "counts.retain(", last: "counts.retain(" },
    topLevel: "static NAME",
    statements: {
      from: "let limit = minimum;",
      to: "*n >= limit",
      types: ["let_declaration", "let_declaration", "binary_expression"],
    },
    identifiers: {
      line: "*counts.entry(word.to_string()).or_insert(0) += 1;",
      expected: ["counts", "entry", "word", "to_string", "or_insert"],
    },
    comment: "// Split on whitespace only.",
    string: '"no words in {}"',
  },
];
