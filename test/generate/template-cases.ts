import type { LanguageId } from "../../grammars/languages.js";
import type { RetrievedLine } from "../../server/core/types.js";

/**
 * Small real bugs, one per edit kind, in every language of the grammar table. Each language has one program with
 * a function per bug; a case names its hunk by a piece of text on the line (so editing a program cannot silently
 * shift a case) and gives the developer's fix. `maxRank` is how far down the ranked list the fix may sit: the
 * engine's order follows the published shares of real fixes (EDIT_KIND_PRIOR), in which operator changes are rare
 * (about 3 %), so an operator fix sits behind the likelier identifier, call and literal candidates of its line.
 */
export interface BugCase {
  readonly kind: string;
  readonly hunk: { readonly first: string; readonly last?: string } | { readonly insertBefore: string };
  readonly fix: string;
  readonly maxRank: number;
  readonly donors?: readonly string[];
}

export interface LanguageProgram {
  readonly language: LanguageId;
  readonly source: string;
  readonly cases: readonly BugCase[];
}

/** A donor line as the index returns it: from another file of the workspace, with a good similarity. */
export function donor(text: string, language: LanguageId): RetrievedLine {
  return { file: `/work/project/other.${language}`, line: 3, text, score: 0.8, scope: "workspace" };
}

const PYTHON = `import math


def count_below(xs, limit):
    n = 0
    for x in xs:
        if x <= limit:
            n += 1
    return n


def last_item(xs):
    return xs[len(xs)]


def name_length(user):
    if user.name == "":
        return 0
    return len(user.name)


def ratio(width, height):
    return divide(height, width)


def divide(a, b):
    return a / b


def total_price(items, tax):
    subtotal = 0
    for item in items:
        subtotal += item.price
    return subtotal * (1 + item)


def smallest(values):
    return max(values)


def add_all(xs):
    total = 0
    for x in xs:
        total += x
        total = total + x
    return total


def contains(xs, target):
    for x in xs:
        if x == target:
            return True
    return True  # not found


def first_missing(seen, keys):
    for k in keys:
        if seen.get(k):
            return k
    return None


def both_positive(a, b):
    if a > 0 and b > 0 and a < 0:
        return True
    return False


def median(values):
    n = len(values)
    return values[n // 2]


def halve_all(xs):
    return [x / 2 for x in xs]
`;

const JAVASCRIPT = `import { divide } from "./math.js";

export function countBelow(xs, limit) {
  let n = 0;
  for (const x of xs) {
    if (x <= limit) n++;
  }
  return n;
}

export function lastItem(xs) {
  return xs[xs.length];
}

export function nameLength(user) {
  if (user.name === "") return 0;
  return user.name.length;
}

export function ratio(width, height) {
  return divide(height, width);
}

export function totalPrice(items, tax) {
  let subtotal = 0;
  for (const item of items) subtotal += item.price;
  return subtotal * (1 + subtotal);
}

export function smallest(values) {
  return Math.max(...values);
}

export function addAll(xs) {
  let total = 0;
  for (const x of xs) {
    total += x;
    total = total + x;
  }
  return total;
}

export function contains(xs, target) {
  for (const x of xs) {
    if (x === target) return true;
  }
  return true; // not found
}

export function firstMissing(seen, keys) {
  for (const k of keys) {
    if (seen.has(k)) return k;
  }
  return null;
}

export function bothPositive(a, b) {
  if (a > 0 && b > 0 && a < 0) return true;
  return false;
}

export function median(values) {
  const n = values.length;
  return values[Math.floor(n / 2)];
}
`;

const TYPESCRIPT = `import { divide } from "./math.js";

interface User {
  name: string;
}

export function countBelow(xs: number[], limit: number): number {
  let n = 0;
  for (const x of xs) {
    if (x <= limit) n++;
  }
  return n;
}

export function lastItem(xs: number[]): number {
  return xs[xs.length];
}

export function nameLength(user: User | undefined): number {
  if (user!.name === "") return 0;
  return user!.name.length;
}

export function ratio(width: number, height: number): number {
  return divide(height, width);
}

export function totalPrice(prices: number[], tax: number): number {
  let subtotal = 0;
  for (const price of prices) subtotal += price;
  return subtotal * (1 + subtotal);
}

export function smallest(values: number[]): number {
  return Math.max(...values);
}

export function addAll(xs: number[]): number {
  let total = 0;
  for (const x of xs) {
    total += x;
    total = total + x;
  }
  return total;
}

export function contains(xs: number[], target: number): boolean {
  for (const x of xs) {
    if (x === target) return true;
  }
  return true; // not found
}

export function firstMissing(seen: Set<string>, keys: string[]): string | null {
  for (const k of keys) {
    if (seen.has(k)) return k;
  }
  return null;
}

export function bothPositive(a: number, b: number): boolean {
  if (a > 0 && b > 0 && a < 0) return true;
  return false;
}

export function median(values: number[]): number {
  const n = values.length;
  return values[Math.floor(n / 2)];
}
`;

const TSX = `import { divide } from "./math.js";

export function Count(props: { xs: number[]; limit: number }) {
  let n = 0;
  for (const x of props.xs) {
    if (x <= props.limit) n++;
  }
  return <span className="count">{n}</span>;
}

export function Last(props: { xs: number[] }) {
  return <b>{props.xs[props.xs.length]}</b>;
}

export function Name(props: { user?: { name: string } }) {
  const user = props.user;
  if (user!.name === "") return <i>anonymous</i>;
  return <span>{user!.name}</span>;
}

export function Ratio({ width, height }: { width: number; height: number }) {
  const value = divide(height, width);
  return <span>{value}</span>;
}

export function Total({ prices, tax }: { prices: number[]; tax: number }) {
  let subtotal = 0;
  for (const price of prices) subtotal += price;
  const total = subtotal * (1 + subtotal);
  return <span>{total}</span>;
}

export function Smallest({ values }: { values: number[] }) {
  const least = Math.max(...values);
  return <span>{least}</span>;
}

export function Sum({ xs }: { xs: number[] }) {
  let total = 0;
  for (const x of xs) {
    total += x;
    total = total + x;
  }
  return <span>{total}</span>;
}

export function Found({ xs, target }: { xs: number[]; target: number }) {
  let found = true; // assume missing
  for (const x of xs) {
    if (x === target) found = true;
  }
  return <span>{String(found)}</span>;
}

export function Missing({ seen, keys }: { seen: Set<string>; keys: string[] }) {
  for (const k of keys) {
    if (seen.has(k)) return <span>{k}</span>;
  }
  return null;
}

export function Both({ a, b }: { a: number; b: number }) {
  if (a > 0 && b > 0 && a < 0) return <span>yes</span>;
  return <span>no</span>;
}

export function Median({ values }: { values: number[] }) {
  const n = values.length;
  return <span>{values[Math.floor(n / 2)]}</span>;
}
`;

const JAVA = `import java.util.*;

class Bugs {
    static int countBelow(int[] xs, int limit) {
        int n = 0;
        for (int x : xs) {
            if (x <= limit) n++;
        }
        return n;
    }

    static int lastItem(int[] xs) {
        return xs[xs.length];
    }

    static int nameLength(User user) {
        if (user.name.isEmpty()) return 0;
        return user.name.length();
    }

    static double ratio(double width, double height) {
        return divide(height, width);
    }

    static double divide(double a, double b) {
        return a / b;
    }

    static double totalPrice(double[] prices, double tax) {
        double subtotal = 0;
        for (double price : prices) subtotal += price;
        return subtotal * (1 + subtotal);
    }

    static double smallest(double a, double b) {
        return Math.max(a, b);
    }

    static int addAll(int[] xs) {
        int total = 0;
        for (int x : xs) {
            total += x;
            total = total + x;
        }
        return total;
    }

    static boolean contains(int[] xs, int target) {
        for (int x : xs) {
            if (x == target) return true;
        }
        return true; // not found
    }

    static String firstMissing(Set<String> seen, List<String> keys) {
        for (String k : keys) {
            if (seen.contains(k)) return k;
        }
        return null;
    }

    static boolean bothPositive(int a, int b) {
        if (a > 0 && b > 0 && a < 0) return true;
        return false;
    }

    static int median(int[] values) {
        int n = values.length;
        return values[n / 2];
    }
}
`;

const C = `#include <math.h>
#include <stdbool.h>
#include <stddef.h>

struct user {
    const char *name;
};

double divide(double a, double b);
bool contains_key(const int *seen, int k);
void sort_ints(int *values, int n);

int count_below(const int *xs, int n, int limit) {
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (xs[i] <= limit) count++;
    }
    return count;
}

int last_item(const int *xs, int n) {
    return xs[n];
}

int name_length(const struct user *user) {
    if (user->name[0] == 0) return 0;
    return 1;
}

double ratio(double width, double height) {
    return divide(height, width);
}

double total_price(const double *prices, int n, double tax) {
    double subtotal = 0;
    for (int i = 0; i < n; i++) subtotal += prices[i];
    return subtotal * (1 + subtotal);
}

double smallest(double a, double b) {
    return fmax(a, b);
}

int add_all(const int *xs, int n) {
    int total = 0;
    for (int i = 0; i < n; i++) {
        total += xs[i];
        total = total + xs[i];
    }
    return total;
}

bool contains(const int *xs, int n, int target) {
    for (int i = 0; i < n; i++) {
        if (xs[i] == target) return true;
    }
    return true; /* not found */
}

int first_missing(const int *seen, const int *keys, int n) {
    for (int i = 0; i < n; i++) {
        if (contains_key(seen, keys[i])) return keys[i];
    }
    return -1;
}

bool both_positive(int a, int b) {
    if (a > 0 && b > 0 && a < 0) return true;
    return false;
}

int median(int *values, int n) {
    int mid = n / 2;
    return values[mid];
}

const char *last_char(const char *s, size_t len) {
    const char *end = s + len;
    return end;
}
`;

const CPP = `#include <string>
#include <vector>
#include <cmath>

struct User {
    std::string name;
};

double divide(double a, double b);
void sort_ints(std::vector<int>& values);

int countBelow(const std::vector<int>& xs, int limit) {
    int n = 0;
    for (int x : xs) {
        if (x <= limit) n++;
    }
    return n;
}

int lastItem(const std::vector<int>& xs) {
    return xs[xs.size()];
}

size_t nameLength(const User* user) {
    if (user->name.empty()) return 0;
    return user->name.size();
}

double ratio(double width, double height) {
    return divide(height, width);
}

double totalPrice(const std::vector<double>& prices, double tax) {
    double subtotal = 0;
    for (double price : prices) subtotal += price;
    return subtotal * (1 + subtotal);
}

int largestOfSorted(const std::vector<int>& values) {
    return values.front();
}

int addAll(const std::vector<int>& xs) {
    int total = 0;
    for (int x : xs) {
        total += x;
        total = total + x;
    }
    return total;
}

bool contains(const std::vector<int>& xs, int target) {
    for (int x : xs) {
        if (x == target) return true;
    }
    return true; // not found
}

int firstMissing(const std::vector<bool>& seen, const std::vector<int>& keys) {
    for (int k : keys) {
        if (seen.at(k)) return k;
    }
    return -1;
}

bool bothPositive(int a, int b) {
    if (a > 0 && b > 0 && a < 0) return true;
    return false;
}

int median(std::vector<int>& values) {
    size_t n = values.size();
    return values[n / 2];
}
`;

const GO = `package bugs

import (
	"math"
	"sort"
)

type User struct{ Name string }

func countBelow(xs []int, limit int) int {
	n := 0
	for _, x := range xs {
		if x <= limit {
			n++
		}
	}
	return n
}

func lastItem(xs []int) int {
	return xs[len(xs)]
}

func nameLength(user *User) int {
	if user.Name == "" {
		return 0
	}
	return len(user.Name)
}

func ratio(width, height float64) float64 {
	return divide(height, width)
}

func divide(a, b float64) float64 {
	return a / b
}

func totalPrice(prices []float64, tax float64) float64 {
	subtotal := 0.0
	for _, price := range prices {
		subtotal += price
	}
	return subtotal * (1 + subtotal)
}

func smallest(a, b float64) float64 {
	return math.Max(a, b)
}

func addAll(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
		total = total + x
	}
	return total
}

func contains(xs []int, target int) bool {
	for _, x := range xs {
		if x == target {
			return true
		}
	}
	return true // not found
}

func firstMissing(seen map[string]bool, keys []string) string {
	for _, k := range keys {
		if seen[k] {
			return k
		}
	}
	return ""
}

func bothPositive(a, b int) bool {
	if a > 0 && b > 0 && a < 0 {
		return true
	}
	return false
}

func median(values []int) int {
	n := len(values)
	return values[n/2]
}
`;

const RUST = `use std::collections::HashSet;

pub struct User {
    pub name: String,
}

fn divide(a: f64, b: f64) -> f64 {
    a / b
}

pub fn count_below(xs: &[i32], limit: i32) -> usize {
    let mut n = 0;
    for &x in xs {
        if x <= limit {
            n += 1;
        }
    }
    n
}

pub fn last_item(xs: &[i32]) -> i32 {
    xs[xs.len()]
}

pub fn name_length(user: Option<&User>) -> usize {
    if user.unwrap().name.is_empty() {
        return 0;
    }
    user.unwrap().name.len()
}

pub fn ratio(width: f64, height: f64) -> f64 {
    divide(height, width)
}

pub fn total_price(prices: &[f64], tax: f64) -> f64 {
    let mut subtotal = 0.0;
    for price in prices {
        subtotal += price;
    }
    subtotal * (1.0 + subtotal)
}

pub fn smallest(a: f64, b: f64) -> f64 {
    a.max(b)
}

pub fn add_all(xs: &[i32]) -> i32 {
    let mut total = 0;
    for x in xs {
        total += x;
        total = total + x;
    }
    total
}

pub fn contains(xs: &[i32], target: i32) -> bool {
    for &x in xs {
        if x == target {
            return true;
        }
    }
    return true; // not found
}

pub fn first_missing(seen: &HashSet<String>, keys: &[String]) -> Option<String> {
    for k in keys {
        if seen.contains(k) {
            return Some(k.clone());
        }
    }
    None
}

pub fn both_positive(a: i32, b: i32) -> bool {
    if a > 0 && b > 0 && a < 0 {
        return true;
    }
    false
}

pub fn median(values: &mut Vec<i32>) -> i32 {
    let n = values.len();
    values[n / 2]
}
`;

export const PROGRAMS: readonly LanguageProgram[] = [
  {
    language: "python",
    source: PYTHON,
    cases: [
      { kind: "operator", hunk: { first: "if x <= limit:" }, fix: "        if x < limit:", maxRank: 13 },
      { kind: "off-by-one", hunk: { first: "return xs[len(xs)]" }, fix: "    return xs[len(xs) - 1]", maxRank: 8 },
      {
        kind: "guard",
        hunk: { first: 'if user.name == "":' },
        fix: '    if user is None or user.name == "":',
        maxRank: 12,
      },
      { kind: "swap", hunk: { first: "divide(height, width)" }, fix: "    return divide(width, height)", maxRank: 12 },
      {
        kind: "identifier",
        hunk: { first: "(1 + item)" },
        fix: "    return subtotal * (1 + tax)",
        maxRank: 20,
      },
      { kind: "callee", hunk: { first: "return max(values)" }, fix: "    return min(values)", maxRank: 5 },
      { kind: "delete", hunk: { first: "total = total + x" }, fix: "", maxRank: 30 },
      {
        kind: "return",
        hunk: { first: "return True  # not found" },
        fix: "    return False  # not found",
        maxRank: 5,
      },
      { kind: "negate", hunk: { first: "if seen.get(k):" }, fix: "        if not seen.get(k):", maxRank: 10 },
      {
        kind: "drop condition",
        hunk: { first: "if a > 0 and b > 0 and a < 0:" },
        fix: "    if a > 0 and b > 0:",
        maxRank: 30,
      },
      { kind: "operator //", hunk: { first: "x / 2 for x" }, fix: "    return [x // 2 for x in xs]", maxRank: 29 },
      {
        kind: "donor",
        hunk: { insertBefore: "n = len(values)" },
        fix: "    values.sort()",
        maxRank: 10,
        donors: ["items.sort()"],
      },
    ],
  },
  {
    language: "javascript",
    source: JAVASCRIPT,
    cases: [
      { kind: "operator", hunk: { first: "if (x <= limit)" }, fix: "    if (x < limit) n++;", maxRank: 16 },
      { kind: "off-by-one", hunk: { first: "xs[xs.length]" }, fix: "  return xs[xs.length - 1];", maxRank: 5 },
      {
        kind: "guard",
        hunk: { first: 'if (user.name === "")' },
        fix: '  if (user == null || user.name === "") return 0;',
        maxRank: 12,
      },
      { kind: "swap", hunk: { first: "divide(height, width)" }, fix: "  return divide(width, height);", maxRank: 12 },
      {
        kind: "identifier",
        hunk: { first: "(1 + subtotal)" },
        fix: "  return subtotal * (1 + tax);",
        maxRank: 20,
      },
      { kind: "callee", hunk: { first: "Math.max(...values)" }, fix: "  return Math.min(...values);", maxRank: 5 },
      { kind: "delete", hunk: { first: "total = total + x" }, fix: "", maxRank: 30 },
      { kind: "return", hunk: { first: "return true; // not found" }, fix: "  return false; // not found", maxRank: 5 },
      { kind: "negate", hunk: { first: "if (seen.has(k))" }, fix: "    if (!seen.has(k)) return k;", maxRank: 10 },
      {
        kind: "drop condition",
        hunk: { first: "if (a > 0 && b > 0 && a < 0)" },
        fix: "  if (a > 0 && b > 0) return true;",
        maxRank: 30,
      },
      {
        kind: "donor",
        hunk: { insertBefore: "const n = values.length" },
        fix: "  values.sort();",
        maxRank: 10,
        donors: ["items.sort();"],
      },
    ],
  },
  {
    language: "typescript",
    source: TYPESCRIPT,
    cases: [
      { kind: "operator", hunk: { first: "if (x <= limit)" }, fix: "    if (x < limit) n++;", maxRank: 16 },
      { kind: "off-by-one", hunk: { first: "xs[xs.length]" }, fix: "  return xs[xs.length - 1];", maxRank: 5 },
      { kind: "swap", hunk: { first: "divide(height, width)" }, fix: "  return divide(width, height);", maxRank: 12 },
      {
        kind: "identifier",
        hunk: { first: "(1 + subtotal)" },
        fix: "  return subtotal * (1 + tax);",
        maxRank: 20,
      },
      { kind: "callee", hunk: { first: "Math.max(...values)" }, fix: "  return Math.min(...values);", maxRank: 5 },
      { kind: "delete", hunk: { first: "total = total + x" }, fix: "", maxRank: 30 },
      { kind: "return", hunk: { first: "return true; // not found" }, fix: "  return false; // not found", maxRank: 5 },
      { kind: "negate", hunk: { first: "if (seen.has(k))" }, fix: "    if (!seen.has(k)) return k;", maxRank: 10 },
      {
        kind: "drop condition",
        hunk: { first: "if (a > 0 && b > 0 && a < 0)" },
        fix: "  if (a > 0 && b > 0) return true;",
        maxRank: 30,
      },
      {
        kind: "donor",
        hunk: { insertBefore: "const n = values.length" },
        fix: "  values.sort();",
        maxRank: 10,
        donors: ["items.sort();"],
      },
    ],
  },
  {
    language: "tsx",
    source: TSX,
    cases: [
      { kind: "operator", hunk: { first: "if (x <= props.limit)" }, fix: "    if (x < props.limit) n++;", maxRank: 17 },
      {
        kind: "off-by-one",
        hunk: { first: "props.xs[props.xs.length]" },
        fix: "  return <b>{props.xs[props.xs.length - 1]}</b>;",
        maxRank: 5,
      },
      {
        kind: "swap",
        hunk: { first: "divide(height, width)" },
        fix: "  const value = divide(width, height);",
        maxRank: 12,
      },
      {
        kind: "identifier",
        hunk: { first: "(1 + subtotal)" },
        fix: "  const total = subtotal * (1 + tax);",
        maxRank: 20,
      },
      {
        kind: "callee",
        hunk: { first: "Math.max(...values)" },
        fix: "  const least = Math.min(...values);",
        maxRank: 5,
      },
      { kind: "delete", hunk: { first: "total = total + x" }, fix: "", maxRank: 30 },
      {
        kind: "literal",
        hunk: { first: "let found = true;" },
        fix: "  let found = false; // assume missing",
        maxRank: 5,
      },
      {
        kind: "negate",
        hunk: { first: "if (seen.has(k))" },
        fix: "    if (!seen.has(k)) return <span>{k}</span>;",
        maxRank: 10,
      },
      {
        kind: "drop condition",
        hunk: { first: "if (a > 0 && b > 0 && a < 0)" },
        fix: "  if (a > 0 && b > 0) return <span>yes</span>;",
        maxRank: 30,
      },
      {
        kind: "donor",
        hunk: { insertBefore: "const n = values.length" },
        fix: "  values.sort();",
        maxRank: 10,
        donors: ["items.sort();"],
      },
    ],
  },
  {
    language: "java",
    source: JAVA,
    cases: [
      { kind: "operator", hunk: { first: "if (x <= limit)" }, fix: "            if (x < limit) n++;", maxRank: 16 },
      { kind: "off-by-one", hunk: { first: "xs[xs.length]" }, fix: "        return xs[xs.length - 1];", maxRank: 5 },
      {
        kind: "guard",
        hunk: { first: "if (user.name.isEmpty())" },
        fix: "        if (user == null || user.name.isEmpty()) return 0;",
        maxRank: 12,
      },
      {
        kind: "swap",
        hunk: { first: "divide(height, width)" },
        fix: "        return divide(width, height);",
        maxRank: 12,
      },
      {
        kind: "identifier",
        hunk: { first: "(1 + subtotal)" },
        fix: "        return subtotal * (1 + tax);",
        maxRank: 20,
      },
      { kind: "callee", hunk: { first: "Math.max(a, b)" }, fix: "        return Math.min(a, b);", maxRank: 5 },
      { kind: "delete", hunk: { first: "total = total + x" }, fix: "", maxRank: 30 },
      {
        kind: "return",
        hunk: { first: "return true; // not found" },
        fix: "        return false; // not found",
        maxRank: 5,
      },
      {
        kind: "negate",
        hunk: { first: "if (seen.contains(k))" },
        fix: "            if (!seen.contains(k)) return k;",
        maxRank: 10,
      },
      {
        kind: "drop condition",
        hunk: { first: "if (a > 0 && b > 0 && a < 0)" },
        fix: "        if (a > 0 && b > 0) return true;",
        maxRank: 30,
      },
      {
        kind: "donor",
        hunk: { insertBefore: "int n = values.length" },
        fix: "        Arrays.sort(values);",
        maxRank: 10,
        donors: ["Arrays.sort(items);"],
      },
    ],
  },
  {
    language: "c",
    source: C,
    cases: [
      {
        kind: "operator",
        hunk: { first: "if (xs[i] <= limit)" },
        fix: "        if (xs[i] < limit) count++;",
        maxRank: 30,
      },
      { kind: "off-by-one", hunk: { first: "return xs[n];" }, fix: "    return xs[n - 1];", maxRank: 5 },
      {
        kind: "guard",
        hunk: { first: "if (user->name[0] == 0)" },
        fix: "    if (user == NULL || user->name[0] == 0) return 0;",
        maxRank: 12,
      },
      { kind: "swap", hunk: { first: "divide(height, width)" }, fix: "    return divide(width, height);", maxRank: 12 },
      {
        kind: "identifier",
        hunk: { first: "(1 + subtotal)" },
        fix: "    return subtotal * (1 + tax);",
        maxRank: 20,
      },
      { kind: "callee", hunk: { first: "fmax(a, b)" }, fix: "    return fmin(a, b);", maxRank: 5 },
      { kind: "delete", hunk: { first: "total = total + xs[i]" }, fix: "", maxRank: 30 },
      {
        kind: "return",
        hunk: { first: "return true; /* not found */" },
        fix: "    return false; /* not found */",
        maxRank: 5,
      },
      {
        kind: "negate",
        hunk: { first: "if (contains_key(seen, keys[i]))" },
        fix: "        if (!contains_key(seen, keys[i])) return keys[i];",
        maxRank: 10,
      },
      {
        kind: "drop condition",
        hunk: { first: "if (a > 0 && b > 0 && a < 0)" },
        fix: "    if (a > 0 && b > 0) return true;",
        maxRank: 30,
      },
      {
        kind: "donor",
        hunk: { insertBefore: "int mid = n / 2;" },
        fix: "    sort_ints(values, n);",
        maxRank: 10,
        donors: ["sort_ints(values, n);"],
      },
      {
        kind: "pointer arithmetic",
        hunk: { first: "const char *end = s + len;" },
        fix: "    const char *end = s + len - 1;",
        maxRank: 10,
      },
    ],
  },
  {
    language: "cpp",
    source: CPP,
    cases: [
      { kind: "operator", hunk: { first: "if (x <= limit)" }, fix: "        if (x < limit) n++;", maxRank: 16 },
      { kind: "off-by-one", hunk: { first: "xs[xs.size()]" }, fix: "    return xs[xs.size() - 1];", maxRank: 5 },
      {
        kind: "guard",
        hunk: { first: "if (user->name.empty())" },
        fix: "    if (user == nullptr || user->name.empty()) return 0;",
        maxRank: 12,
      },
      { kind: "swap", hunk: { first: "divide(height, width)" }, fix: "    return divide(width, height);", maxRank: 12 },
      {
        kind: "identifier",
        hunk: { first: "(1 + subtotal)" },
        fix: "    return subtotal * (1 + tax);",
        maxRank: 20,
      },
      { kind: "callee", hunk: { first: "values.front()" }, fix: "    return values.back();", maxRank: 5 },
      { kind: "delete", hunk: { first: "total = total + x" }, fix: "", maxRank: 30 },
      {
        kind: "return",
        hunk: { first: "return true; // not found" },
        fix: "    return false; // not found",
        maxRank: 5,
      },
      { kind: "negate", hunk: { first: "if (seen.at(k))" }, fix: "        if (!seen.at(k)) return k;", maxRank: 10 },
      {
        kind: "drop condition",
        hunk: { first: "if (a > 0 && b > 0 && a < 0)" },
        fix: "    if (a > 0 && b > 0) return true;",
        maxRank: 30,
      },
      {
        kind: "donor",
        hunk: { insertBefore: "size_t n = values.size();" },
        fix: "    sort_ints(values);",
        maxRank: 10,
        donors: ["sort_ints(items);"],
      },
    ],
  },
  {
    language: "go",
    source: GO,
    cases: [
      { kind: "operator", hunk: { first: "if x <= limit {" }, fix: "\t\tif x < limit {", maxRank: 15 },
      { kind: "off-by-one", hunk: { first: "xs[len(xs)]" }, fix: "\treturn xs[len(xs) - 1]", maxRank: 5 },
      {
        kind: "guard",
        hunk: { first: 'if user.Name == "" {' },
        fix: '\tif user == nil || user.Name == "" {',
        maxRank: 12,
      },
      { kind: "swap", hunk: { first: "divide(height, width)" }, fix: "\treturn divide(width, height)", maxRank: 12 },
      {
        kind: "identifier",
        hunk: { first: "(1 + subtotal)" },
        fix: "\treturn subtotal * (1 + tax)",
        maxRank: 20,
      },
      { kind: "callee", hunk: { first: "math.Max(a, b)" }, fix: "\treturn math.Min(a, b)", maxRank: 5 },
      { kind: "delete", hunk: { first: "total = total + x" }, fix: "", maxRank: 30 },
      { kind: "return", hunk: { first: "return true // not found" }, fix: "\treturn false // not found", maxRank: 5 },
      { kind: "negate", hunk: { first: "if seen[k] {" }, fix: "\t\tif !seen[k] {", maxRank: 10 },
      {
        kind: "drop condition",
        hunk: { first: "if a > 0 && b > 0 && a < 0 {" },
        fix: "\tif a > 0 && b > 0 {",
        maxRank: 30,
      },
      {
        kind: "donor",
        hunk: { insertBefore: "n := len(values)" },
        fix: "\tsort.Ints(values)",
        maxRank: 10,
        donors: ["sort.Ints(items)"],
      },
    ],
  },
  {
    language: "rust",
    source: RUST,
    cases: [
      { kind: "operator", hunk: { first: "if x <= limit {" }, fix: "        if x < limit {", maxRank: 13 },
      { kind: "off-by-one", hunk: { first: "xs[xs.len()]" }, fix: "    xs[xs.len() - 1]", maxRank: 5 },
      {
        kind: "guard",
        hunk: { first: "if user.unwrap().name.is_empty() {" },
        fix: "    if user.is_none() || user.unwrap().name.is_empty() {",
        maxRank: 12,
      },
      { kind: "swap", hunk: { first: "divide(height, width)" }, fix: "    divide(width, height)", maxRank: 12 },
      {
        kind: "identifier",
        hunk: { first: "(1.0 + subtotal)" },
        fix: "    subtotal * (1.0 + tax)",
        maxRank: 20,
      },
      { kind: "callee", hunk: { first: "a.max(b)" }, fix: "    a.min(b)", maxRank: 5 },
      { kind: "delete", hunk: { first: "total = total + x" }, fix: "", maxRank: 30 },
      {
        kind: "return",
        hunk: { first: "return true; // not found" },
        fix: "    return false; // not found",
        maxRank: 5,
      },
      { kind: "negate", hunk: { first: "if seen.contains(k) {" }, fix: "        if !seen.contains(k) {", maxRank: 10 },
      {
        kind: "drop condition",
        hunk: { first: "if a > 0 && b > 0 && a < 0 {" },
        fix: "    if a > 0 && b > 0 {",
        maxRank: 30,
      },
      {
        kind: "donor",
        hunk: { insertBefore: "let n = values.len();" },
        fix: "    values.sort();",
        maxRank: 10,
        donors: ["items.sort();"],
      },
    ],
  },
];
