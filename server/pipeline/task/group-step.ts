/**
 * The group step: which failing tests are repaired together. Tests whose suspicious code shares no file are
 * independent (shard.ts groups them), and each group is repaired as its own task with its own failing tests as the
 * oracle: a single-hunk fix of one group is then a repair of that group rather than a partial patch of the whole,
 * and the search of one group never pays for the others' failures. A sharded run repairs its own groups only.
 */
import { ownedTests, planShards, type RepairGroup, type ShardPlan } from "../shard.js";
import { groupsNote, otherShards, type Stop } from "./messages.js";
import type { Baselined, GroupTask, TaskState, Workspace } from "./task-state.js";

/**
 * Grouping localises every failing test alone; beyond this many failing tests an unsharded task repairs them as one
 * instead (a sharded run always groups: the shards must agree on who repairs what).
 */
const MAX_TESTS_GROUPED = 64;

export async function groupStep(
  task: TaskState,
  workspace: Workspace,
  baselined: Baselined,
): Promise<{ readonly baselined: Baselined; readonly groups: GroupTask[] } | Stop> {
  const { env } = task;
  const { baseline } = baselined;
  const everyone: GroupTask[] = [{ group: undefined, oracle: baselined.oracle }];
  // A selection in the editor is one repair of the user's choosing, whatever tests it concerns.
  if (task.given) return { baselined, groups: everyone };
  if (!env.shard && (baseline.oracle.length < 2 || baseline.oracle.length > MAX_TESTS_GROUPED)) {
    return { baselined, groups: everyone };
  }
  const { files, sources } = workspace;
  const shared = { sources, files, failing: baseline.oracle, passing: baseline.passing };
  const plan = await planShards(
    env.shard ?? { index: 1, total: 1 },
    baseline.coverage ? { ...shared, coverage: baseline.coverage } : shared,
    (file) => files.relative(file),
  );
  const own = ownGroups(plan);
  const testsOf = (group: RepairGroup): GroupTask["oracle"] =>
    baseline.oracle.filter((t) => group.tests.includes(t.name));
  if (env.shard) {
    // The other shards' failures were failures at baseline, so they are never counted as regressions.
    task.shard = plan;
    const oracle = ownedTests(plan, baseline.oracle);
    task.owned = oracle.map((t) => t.name);
    if (oracle.length === 0) {
      return otherShards(env.shard.index, env.shard.total, plan.groups.length, baseline.oracle.length);
    }
    baselined = { ...baselined, oracle };
  }
  if (own.length < 2) return { baselined, groups: [{ group: own[0], oracle: baselined.oracle }] };
  task.notes.push(groupsNote(own.length, baselined.oracle.length));
  return { baselined, groups: own.map((group) => ({ group, oracle: testsOf(group) })) };
}

/** The plan's groups this run repairs, in the plan's (stable) order. */
function ownGroups(plan: ShardPlan): RepairGroup[] {
  return plan.groups.filter((g) => plan.owned.includes(g.id));
}
