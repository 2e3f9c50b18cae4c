/**
 * Sharding of `fix-all` over a CI matrix. After the baseline, the failing tests are split into independent repair
 * groups (tests whose suspicious code shares a file stay together), and each group belongs to one shard by a stable
 * hash of its tests. Every runner computes the same groups from the same code and the same baseline, so the shards
 * agree on who repairs what without talking to each other; a merge checks that they did.
 */
import { createHash } from "node:crypto";
import { localise, type LocaliseInput } from "./localise/localise.js";
import type { TestOutcome } from "./runners/outcomes.js";

/** Which shard this run is: `index` of `total`, counted from 1 (as `--shard 2/4` says it). */
export interface ShardSpec {
  readonly index: number;
  readonly total: number;
}

/** One independent repair task: failing tests whose suspicious code overlaps. */
export interface RepairGroup {
  /** Stable across runners: a hash of the group's sorted test names. */
  readonly id: string;
  readonly tests: readonly string[];
  /** The shard (1-based) that repairs this group. */
  readonly shard: number;
  /** Workspace-relative files the group's tests point at most (why the tests are grouped). */
  readonly files: readonly string[];
}

/** What a sharded run decided before repairing: every group, and which of them are its own. */
export interface ShardPlan {
  readonly shard: ShardSpec;
  /** Every group of the run, sorted by id: a merge checks coverage against it. */
  readonly groups: readonly RepairGroup[];
  /** Ids of the groups this shard repairs. */
  readonly owned: readonly string[];
}

/** How many of a test's most suspicious hunks name the files it is grouped by. */
const SUSPICIOUS_HUNKS_PER_TEST = 3;

/** A group's id: the first 16 hex digits of the sha256 of its test names, sorted, one per line. */
export function groupId(tests: readonly string[]): string {
  return createHash("sha256")
    .update([...tests].sort().join("\n"))
    .digest("hex")
    .slice(0, 16);
}

/** The shard (1-based) a group belongs to: its id read as a number, modulo the number of shards. */
export function shardOfGroup(id: string, total: number): number {
  return (parseInt(id.slice(0, 8), 16) % total) + 1;
}

/**
 * Union-find over shared keys: tests that share a key (a suspicious file) end in one group, and so do tests linked
 * through a chain of shared keys. A test with no key is a group of its own. Groups and their tests come sorted.
 */
export function groupByOverlap(keysByTest: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const parent = new Map<string, string>();
  const find = (test: string): string => {
    let root = test;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    // Path compression keeps later finds short.
    for (let node = test; node !== root;) {
      const next = parent.get(node) ?? root;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  for (const test of keysByTest.keys()) parent.set(test, test);
  const ownerOfKey = new Map<string, string>();
  for (const [test, keys] of keysByTest) {
    for (const key of keys) {
      const owner = ownerOfKey.get(key);
      if (owner === undefined) ownerOfKey.set(key, test);
      else parent.set(find(test), find(owner));
    }
  }
  const groups = new Map<string, string[]>();
  for (const test of keysByTest.keys()) {
    const root = find(test);
    groups.set(root, [...(groups.get(root) ?? []), test]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/** Assigns groups of test names to shards; groups come sorted by id. */
export function planFromGroups(
  shard: ShardSpec,
  groups: readonly { readonly tests: readonly string[]; readonly files: readonly string[] }[],
): ShardPlan {
  const all = groups
    .map((g) => {
      const id = groupId(g.tests);
      return { id, tests: [...g.tests].sort(), shard: shardOfGroup(id, shard.total), files: [...g.files].sort() };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  return { shard, groups: all, owned: all.filter((g) => g.shard === shard.index).map((g) => g.id) };
}

/**
 * Groups the failing tests by the files their own localisation points at (each failing test localised alone
 * against every passing test), then assigns the groups to shards. Localisation runs no test, so this costs parsing
 * only.
 */
export async function planShards(
  shard: ShardSpec,
  input: LocaliseInput,
  relative: (file: string) => string,
): Promise<ShardPlan> {
  const keysByTest = new Map<string, Set<string>>();
  for (const test of input.failing) {
    keysByTest.set(test.name, await suspiciousFiles(test, input));
  }
  const groups = groupByOverlap(keysByTest).map((tests) => ({
    tests,
    files: [...new Set(tests.flatMap((t) => [...(keysByTest.get(t) ?? [])]))].map(relative),
  }));
  return planFromGroups(shard, groups);
}

/** The files of one failing test's most suspicious hunks, localised without the other failing tests. */
async function suspiciousFiles(test: TestOutcome, input: LocaliseInput): Promise<Set<string>> {
  const coverage = input.coverage?.filter((entity) => !entity.failed || entity.name === test.name);
  // The run's whole output is left out: with one failing test, localise would read every test's frames from it.
  const alone = await localise({
    sources: input.sources,
    files: input.files,
    failing: [test],
    passing: input.passing,
    ...(coverage ? { coverage } : {}),
  });
  return new Set(alone.hunks.slice(0, SUSPICIOUS_HUNKS_PER_TEST).map((h) => h.hunk.file));
}

/** The failing tests a shard repairs: those of its own groups. */
export function ownedTests<T extends { readonly name: string }>(plan: ShardPlan, oracle: readonly T[]): T[] {
  const owned = new Set(plan.groups.filter((g) => plan.owned.includes(g.id)).flatMap((g) => g.tests));
  return oracle.filter((t) => owned.has(t.name));
}
