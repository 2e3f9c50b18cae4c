// Scratch copies: what is copied, linked and skipped; never hard links; overlays; restore; stale cleanup.
import { spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { removeStaleScratch, ScratchCopy } from "../../server/pipeline/validate/scratch.js";

let base: string;
let root: string;
let scratchParent: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "repair-scratch-test-"));
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
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

test("copies sources, skips VCS, index and build folders, symlinks dependency folders", async () => {
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    expect(readFileSync(join(copy.root, "src/a.py"), "utf8")).toBe("x = 1\n");
    expect(existsSync(join(copy.root, "tests/test_a.py"))).toBe(true);
    expect(existsSync(join(copy.root, "dist/app.js"))).toBe(true);
    for (const skipped of [".git", ".repair-ls", "target", "__pycache__"]) {
      expect(existsSync(join(copy.root, skipped))).toBe(false);
    }
    expect(lstatSync(join(copy.root, "node_modules")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(copy.root, "node_modules"))).toBe(join(root, "node_modules"));
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

test("a workspace without node_modules gets the nearest ancestor's", async () => {
  rmSync(join(root, "node_modules"), { recursive: true });
  mkdirSync(join(base, "outer", "node_modules"));
  const copy = await ScratchCopy.create(root, { root: scratchParent });
  try {
    expect(readlinkSync(join(copy.root, "node_modules"))).toBe(join(base, "outer", "node_modules"));
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
