import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { packageRoot } from "../../../../grammars/paths.js";
import { scratchRoot } from "../../validate/scratch-folders.js";
import { sha256 } from "../../workspace-files.js";
import type { WarmMode } from "../plugins/plugin.js";
import { runProcess } from "../process.js";
import { shellQuote } from "../plugins/shared.js";
import { ForkServer } from "../warm/fork-server.js";

/** The runner shared by cold and warm runs, and the warm server; both shipped as .java sources in the tree. */
export const RUNNER_CLASS = "repairls.junit.RepairJUnitRunner";
const SERVER_CLASS = "repairls.junit.WarmJUnitServer";
const COMPILE_TIMEOUT_MS = 120_000;

function javaDir(): string {
  return join(packageRoot(), "server", "pipeline", "runners", "java");
}

/** The runner's source file, compiled with the workspace's own sources by cold runs that need it. */
export function runnerSource(): string {
  return join(javaDir(), "RepairJUnitRunner.java");
}

function serverSources(): string[] {
  return [runnerSource(), join(javaDir(), "WarmJUnitServer.java")];
}

/** Whether a folder exists and belongs to this user (a cache in a shared temp folder must not be someone else's). */
async function ownFolder(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    return info.isDirectory() && (process.getuid === undefined || info.uid === process.getuid());
  } catch {
    return false;
  }
}

/**
 * The server's classes, compiled once per version of its sources into a folder keyed by their hash (under the
 * scratch root, or the worker's own folder when the shared one is not ours), and reused by every later worker.
 */
async function serverClasses(classpath: string, root: string, privateDir: string): Promise<string> {
  const texts = await Promise.all(serverSources().map((f) => readFile(f, "utf8")));
  const key = sha256(`${classpath}\n${texts.join("\n")}`).slice(0, 16);
  const shared = join(scratchRoot(), "java-warm-server");
  await mkdir(shared, { recursive: true, mode: 0o700 }).catch(() => undefined);
  const parent = (await ownFolder(shared)) ? shared : privateDir;
  const classes = join(parent, key);
  if (await ownFolder(classes)) return classes;
  // Compiled next to the cache and renamed into place, so that concurrent workers never see half a build.
  const building = join(parent, `${key}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  // The workspace's own jars (lib/) are named relative to it: here, the scratch copy's.
  const absolute = classpath
    .split(":")
    .map((entry) => resolve(root, entry))
    .join(":");
  const result = await runProcess(
    `javac -nowarn -encoding UTF-8 -d ${shellQuote(building)} -cp ${shellQuote(absolute)} ${serverSources()
      .map(shellQuote)
      .join(" ")}`,
    { cwd: parent, timeoutMs: COMPILE_TIMEOUT_MS },
  );
  if (result.end !== "exited" || result.exitCode !== 0) {
    await rm(building, { recursive: true, force: true });
    throw new Error(`the warm JUnit server did not compile: ${result.stderr.slice(0, 500)}`);
  }
  try {
    await rename(building, classes);
  } catch {
    // Another worker finished first: its build is the same.
    await rm(building, { recursive: true, force: true });
  }
  return classes;
}

/** The classpath a run names (the JUnit jars), read from the run's own arguments. */
function classpathOf(args: readonly string[]): string {
  const at = args.indexOf("--classpath");
  return at >= 0 ? (args[at + 1] ?? "") : "";
}

/**
 * JUnit 4 kept loaded (the UniAPR approach): one JVM per scratch copy, running in the copy (so that tests find their
 * files by relative paths, as cold runs do); see WarmJUnitServer.java. Exits are blocked by a security manager
 * (JDK 17 allows one with -Djava.security.manager=allow; a JVM that refuses it does not start, and runs go cold).
 */
export const javaWarmMode: WarmMode = {
  async start(context, run) {
    const junit = classpathOf(run.args);
    const classes = await serverClasses(junit, context.scratchRoot, context.scratchDir);
    const work = join(context.scratchDir, "java-warm");
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    return ForkServer.start({
      script: SERVER_CLASS,
      interpreter: run.interpreter,
      interpreterArgs: [
        "-Djava.security.manager=allow",
        `-Drepairls.work=${work}`,
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        `${classes}:${junit}`,
      ],
      runsInServer: true,
      forbiddenRoots: [context.userRoot],
      preload: [],
      cwd: context.scratchRoot,
    });
  },
};
