// Scratch copies: what is copied, linked and skipped; never hard links; dependency folders are private copies;
// nothing is written through a link to the user's files; overlays; restore; stale cleanup.
import { spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { DependencyCopies } from "../../server/pipeline/validate/dependency-copies.js";
import { removeStaleScratch, ScratchCopy } from "../../server/pipeline/validate/scratch.js";
import { tempDir } from "../support/temp.js";

let base: string;
let root: string;
let scratchParent: string;
beforeEach(() => {
  base = tempDir("repair-scratch-test-");
  root = join(base, "outer", "ws");
  scratchParent = join(base, "scratch");
  const files: Record<string, string> = {
    "src/a.py": "x = 1\n",
    "tests/test_a.py": "def test_a():\n    pass\n",
    ".git/HEAD": "ref\n",
    ".repair-ls/index/data": "index\n",
    "target/debug/big": "binary\n",
    "__pycache__/a.pyc": "pyc\n",
    "node_modules/dep/index.js": "module.exports = 1;\n",
    "dist/app.js": "built\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
});

test("copies sources, skips VCS, index and build folders, links dependency folders to private copies", async () => {
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    expect(readFileSync(join(copy.root, "src/a.py"), "utf8")).toBe("x = 1\n");
    expect(existsSync(join(copy.root, "tests/test_a.py"))).toBe(true);
    expect(existsSync(join(copy.root, "dist/app.js"))).toBe(true);
    for (const skipped of [".git", ".repair-ls", "target", "__pycache__"]) {
      expect(existsSync(join(copy.root, skipped))).toBe(false);
    }
    expect(lstatSync(join(copy.root, "node_modules")).isSymbolicLink()).toBe(true);
    expect(realpathSync(join(copy.root, "node_modules")).startsWith(realpathSync(scratchParent))).toBe(true);
    expect(readFileSync(join(copy.root, "node_modules/dep/index.js"), "utf8")).toBe("module.exports = 1;\n");
    expect(copy.dir.startsWith(join(scratchParent, `${process.pid}-`))).toBe(true);
  } finally {
    await copy.dispose();
  }
  expect(existsSync(copy.dir)).toBe(false);
});

test("files are never hard links: writing the copy leaves the user's file alone", async () => {
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    const original = statSync(join(root, "src/a.py"));
    const copied = statSync(join(copy.root, "src/a.py"));
    expect(copied.ino).not.toBe(original.ino);
    expect(original.nlink).toBe(1);
    writeFileSync(join(copy.root, "src/a.py"), "x = 2\n");
    expect(readFileSync(join(root, "src/a.py"), "utf8")).toBe("x = 1\n");
  } finally {
    await copy.dispose();
  }
});

test("a JavaScript workspace that declares dependencies but has no node_modules gets a copy of the nearest ancestor's", async () => {
  rmSync(join(root, "node_modules"), { recursive: true });
  mkdirSync(join(base, "outer", "node_modules", "dep"), { recursive: true });
  writeFileSync(join(base, "outer", "node_modules", "dep", "index.js"), "ancestor\n");
  writeFileSync(join(root, "package.json"), JSON.stringify({ devDependencies: { dep: "1.0.0" } }));
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    expect(readFileSync(join(copy.root, "node_modules/dep/index.js"), "utf8")).toBe("ancestor\n");
    writeFileSync(join(copy.root, "node_modules/dep/index.js"), "changed by a test\n");
    expect(readFileSync(join(base, "outer", "node_modules", "dep", "index.js"), "utf8")).toBe("ancestor\n");
  } finally {
    await copy.dispose();
  }
});

test("a test writing into node_modules or .venv of the copy leaves the user's dependency folders alone", async () => {
  mkdirSync(join(root, ".venv", "lib"), { recursive: true });
  writeFileSync(join(root, ".venv", "lib", "site.py"), "user\n");
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    writeFileSync(join(copy.root, "node_modules/dep/index.js"), "overwritten\n");
    writeFileSync(join(copy.root, "node_modules/new-file.js"), "new\n");
    writeFileSync(join(copy.root, ".venv/lib/site.py"), "overwritten\n");
    expect(readFileSync(join(root, "node_modules/dep/index.js"), "utf8")).toBe("module.exports = 1;\n");
    expect(existsSync(join(root, "node_modules/new-file.js"))).toBe(false);
    expect(readFileSync(join(root, ".venv/lib/site.py"), "utf8")).toBe("user\n");
  } finally {
    await copy.dispose();
  }
});

test("an ancestor's node_modules is not copied for a workspace that declares no dependency", async () => {
  rmSync(join(root, "node_modules"), { recursive: true });
  mkdirSync(join(base, "outer", "node_modules"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ scripts: { test: "node --test" } }));
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    expect(existsSync(join(copy.root, "node_modules"))).toBe(false);
  } finally {
    await copy.dispose();
  }
});

test("a node_modules that is itself a link to a shared folder is copied, not linked", async () => {
  rmSync(join(root, "node_modules"), { recursive: true });
  mkdirSync(join(base, "shared-modules", "dep"), { recursive: true });
  writeFileSync(join(base, "shared-modules", "dep", "index.js"), "shared\n");
  symlinkSync(join(base, "shared-modules"), join(root, "node_modules"));
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    writeFileSync(join(copy.root, "node_modules/dep/index.js"), "changed by a test\n");
    expect(readFileSync(join(base, "shared-modules", "dep", "index.js"), "utf8")).toBe("shared\n");
  } finally {
    await copy.dispose();
  }
});

test("scratch copies of one job share one copy of each dependency folder, removed with it", async () => {
  const dependencies = DependencyCopies.in(scratchParent);
  const first = await ScratchCopy.create(root, { root: scratchParent, dependencies });
  const second = await ScratchCopy.create(root, { root: scratchParent, dependencies });
  try {
    const shared = realpathSync(join(first.root, "node_modules"));
    expect(realpathSync(join(second.root, "node_modules"))).toBe(shared);
    expect(shared.startsWith(realpathSync(dependencies.dir))).toBe(true);
  } finally {
    await first.dispose();
    await second.dispose();
    await dependencies.dispose();
  }
  expect(existsSync(dependencies.dir)).toBe(false);
});

test("links inside the workspace point into the copy; links to outside keep their absolute target", async () => {
  mkdirSync(join(base, "outside"));
  writeFileSync(join(base, "outside", "shared.py"), "outside\n");
  symlinkSync(join(root, "src"), join(root, "src-absolute"));
  symlinkSync("src", join(root, "src-relative"));
  symlinkSync("../../outside", join(root, "outside-relative"));
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    const inCopy = realpathSync(join(copy.root, "src"));
    expect(realpathSync(join(copy.root, "src-absolute"))).toBe(inCopy);
    expect(realpathSync(join(copy.root, "src-relative"))).toBe(inCopy);
    expect(realpathSync(join(copy.root, "outside-relative"))).toBe(realpathSync(join(base, "outside")));
  } finally {
    await copy.dispose();
  }
});

test("an overlay of a file reached through a link to outside the workspace is written only inside the copy", async () => {
  mkdirSync(join(base, "outside"));
  writeFileSync(join(base, "outside", "shared.py"), "on disk\n");
  writeFileSync(join(base, "outside", "other.py"), "other\n");
  symlinkSync(join(base, "outside"), join(root, "linked"));
  symlinkSync(join(base, "outside", "other.py"), join(root, "other-link.py"));
  const overlays = new Map([
    [join(root, "linked", "shared.py"), "unsaved buffer\n"],
    [join(root, "other-link.py"), "unsaved other\n"],
  ]);
  const copy = await ScratchCopy.create(root, { root: scratchParent, overlays });
  try {
    expect(readFileSync(join(copy.root, "linked", "shared.py"), "utf8")).toBe("unsaved buffer\n");
    expect(readFileSync(join(copy.root, "other-link.py"), "utf8")).toBe("unsaved other\n");
    expect(readFileSync(join(base, "outside", "shared.py"), "utf8")).toBe("on disk\n");
    expect(readFileSync(join(base, "outside", "other.py"), "utf8")).toBe("other\n");
    // A repair of such a file would edit a file outside the workspace: candidates for it are refused.
    await expect(copy.apply(new Map([[join(root, "linked", "shared.py"), "patched\n"]]))).rejects.toThrow(
      /outside the workspace/,
    );
    expect(readFileSync(join(base, "outside", "shared.py"), "utf8")).toBe("on disk\n");
  } finally {
    await copy.dispose();
  }
  expect(readFileSync(join(base, "outside", "shared.py"), "utf8")).toBe("on disk\n");
});

test("a candidate for a file reached through an absolute link inside the workspace is written in the copy only", async () => {
  symlinkSync(join(root, "src"), join(root, "alias"));
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    await copy.apply(new Map([[join(root, "alias", "a.py"), "x = 3\n"]]));
    expect(readFileSync(join(copy.root, "src", "a.py"), "utf8")).toBe("x = 3\n");
    expect(readFileSync(join(root, "src", "a.py"), "utf8")).toBe("x = 1\n");
    await copy.restore();
    expect(readFileSync(join(copy.root, "src", "a.py"), "utf8")).toBe("x = 1\n");
  } finally {
    await copy.dispose();
  }
});

test("overlays (unsaved buffers) are written over the disk text; apply and restore round-trip", async () => {
  const file = join(root, "src/a.py");
  const copy = await ScratchCopy.create(root, { root: scratchParent, overlays: new Map([[file, "x = 10\n"]]) });
  try {
    const inCopy = copy.toScratch(file)!;
    expect(readFileSync(inCopy, "utf8")).toBe("x = 10\n");
    await copy.apply(new Map([[file, "x = 11\n"]]));
    expect(readFileSync(inCopy, "utf8")).toBe("x = 11\n");
    await copy.restore();
    expect(readFileSync(inCopy, "utf8")).toBe("x = 10\n");
    expect(copy.fromScratch(inCopy)).toBe(file);
    expect(copy.toScratch("/elsewhere/file.py")).toBeUndefined();
    await expect(copy.apply(new Map([["/elsewhere/file.py", ""]]))).rejects.toThrow(/outside the workspace/);
  } finally {
    await copy.dispose();
  }
  expect(readFileSync(file, "utf8")).toBe("x = 1\n");
});

test("stale copies of dead processes are removed; live ones are kept", async () => {
  // A process that has exited: its pid is free (or reused by someone we must not touch, which pidAlive guards).
  const child = spawn("true");
  const deadPid = await new Promise<number>((resolve) => child.on("exit", () => resolve(child.pid!)));
  mkdirSync(join(scratchParent, `${deadPid}-abc`, "workspace"), { recursive: true });
  mkdirSync(join(scratchParent, `${process.pid}-def`), { recursive: true });
  mkdirSync(join(scratchParent, "not-ours"), { recursive: true });
  const removed = removeStaleScratch(scratchParent);
  expect(removed).toEqual([`${deadPid}-abc`]);
  expect(existsSync(join(scratchParent, `${process.pid}-def`))).toBe(true);
  expect(existsSync(join(scratchParent, "not-ours"))).toBe(true);
});

test("a cancelled copy leaves nothing behind", async () => {
  const controller = new AbortController();
  controller.abort();
  await expect(ScratchCopy.create(root, { root: scratchParent, signal: controller.signal })).rejects.toThrow();
  const left = existsSync(scratchParent) ? readdirSync(scratchParent) : [];
  expect(left).toEqual([]);
});

test("a process killed by SIGTERM removes its scratch copies (built code, as the server runs it)", async () => {
  const built = new URL("../../dist/server/pipeline/validate/scratch.js", import.meta.url);
  if (!existsSync(built)) throw new Error("dist/ is missing: run `npm run build` before the tests");
  const script = [
    `const { ScratchCopy } = await import(${JSON.stringify(built.href)});`,
    `const copy = await ScratchCopy.create(${JSON.stringify(root)}, { root: ${JSON.stringify(scratchParent)} });`,
    "process.stdout.write(copy.dir + '\\n');",
    "setInterval(() => {}, 1000);",
  ].join("\n");
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const dir = await new Promise<string>((resolve) =>
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())),
  );
  expect(existsSync(dir)).toBe(true);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  child.kill("SIGTERM");
  expect(await exited).toBe("SIGTERM");
  expect(existsSync(dir)).toBe(false);
});
