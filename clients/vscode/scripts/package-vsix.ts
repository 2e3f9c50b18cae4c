import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { extensionRoot } from "./extension-paths.js";

/**
 * Runs vsce for this machine's platform. The bundled server contains the native LanceDB binary that npm installed
 * here, so the .vsix is platform-specific (vsce --target); VS Code installs it only where it runs.
 */
function vsceTarget(platform: NodeJS.Platform, arch: string, musl: boolean): string {
  // Windows is not a target until process-group killing works there: a cancelled or timed-out test run could
  // leave the project's test processes running behind the editor.
  if (platform === "win32")
    throw new Error("no VS Code package for Windows yet: test processes cannot be killed as a group there");
  const os = platform === "linux" && musl ? "alpine" : platform;
  const supported = ["linux", "alpine", "darwin"];
  if (!supported.includes(os) || !["x64", "arm64", "arm"].includes(arch)) {
    throw new Error(`no VS Code platform target for ${platform}-${arch}`);
  }
  return `${os}-${arch === "arm" ? "armhf" : arch}`;
}

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return process.platform === "linux" && report?.header?.glibcVersionRuntime === undefined;
}

function main(): number {
  const root = extensionRoot();
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };
  const target = vsceTarget(process.platform, process.arch, isMusl());
  const out = join(root, `${manifest.name}-${manifest.version}-${target}.vsix`);
  const vsce = join(dirname(createRequire(join(root, "package.json")).resolve("@vscode/vsce/package.json")), "vsce");
  // No repository URL is published yet; vsce would otherwise stop and ask on the terminal.
  const args = [vsce, "package", "--target", target, "--out", out, "--allow-missing-repository"];
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

process.exitCode = main();
