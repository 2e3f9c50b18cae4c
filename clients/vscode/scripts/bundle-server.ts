import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

/**
 * Copies the built server into a self-contained folder that the .vsix ships: the repository's compiled code
 * (dist/ minus the tests), the tree-sitter queries, a package.json marking it as an ES module package, and the
 * production dependency closure from the repository's node_modules, laid out exactly as installed so that Node's
 * module resolution finds the same files. Native dependencies (LanceDB) are the ones npm installed here, which makes
 * the result specific to this platform; the packaging script names the .vsix target accordingly.
 */

export interface BundleOptions {
  /** The repository root: package.json, tsconfig.json, dist/ (built) and node_modules/ (installed). */
  readonly repoRoot: string;
  /** The folder to (re)create. */
  readonly outDir: string;
}

export interface BundleSummary {
  readonly packages: readonly string[];
  readonly files: number;
  readonly bytes: number;
}

interface PackageManifest {
  readonly name?: string;
  readonly version?: string;
  readonly license?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageManifest;
}

/**
 * Grammar packages are used only for the .wasm they ship (web-tree-sitter loads it); their native bindings, C
 * sources and build dependencies are dead weight (tree-sitter-cpp alone is 50 MB), so only these files are kept.
 */
export function isGrammarPackage(name: string): boolean {
  return name.startsWith("tree-sitter-");
}

function keepGrammarFile(name: string): boolean {
  return name === "package.json" || /^licen[cs]e/i.test(name) || name.endsWith(".wasm");
}

/** Files that nothing needs at run time: source maps and type declarations. */
function isRuntimeFile(path: string): boolean {
  return !/\.(map|d\.ts|d\.mts|d\.cts)$/.test(path);
}

/** Node's lookup for `name` required from a file in `fromDir`, limited to the repository. */
function resolvePackageDir(name: string, fromDir: string, repoRoot: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === repoRoot) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The production dependency closure of the repository: dependencies (which must be installed), optional and peer
 * dependencies (kept when installed: LanceDB's native binary is an optional dependency). Returns package folders.
 */
export function productionPackages(repoRoot: string): string[] {
  const found = new Set<string>();
  const queue: Array<{ dir: string; manifest: PackageManifest }> = [];
  const visit = (name: string, fromDir: string, required: boolean): void => {
    const dir = resolvePackageDir(name, fromDir, repoRoot);
    if (!dir) {
      if (required) throw new Error(`dependency ${name} (needed by ${fromDir}) is not installed; run "npm ci" first`);
      return;
    }
    if (found.has(dir)) return;
    found.add(dir);
    if (!isGrammarPackage(name)) queue.push({ dir, manifest: readManifest(dir) });
  };
  for (const name of Object.keys(readManifest(repoRoot).dependencies ?? {})) visit(name, repoRoot, true);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { dir, manifest } = next;
    for (const name of Object.keys(manifest.dependencies ?? {})) visit(name, dir, true);
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) visit(name, dir, false);
    for (const name of Object.keys(manifest.peerDependencies ?? {})) visit(name, dir, false);
  }
  return [...found].sort();
}

/** Extensions of the files other runtimes execute (Python, Node scripts outside the build, Java sources). */
const RUNTIME_ASSET_EXTENSIONS = [".py", ".mjs", ".cjs", ".java"];

/** The top-level source folders of the project (tsconfig include), except the tests: what dist/ holds that runs. */
export function runtimeSourceFolders(repoRoot: string): string[] {
  const tsconfig = JSON.parse(readFileSync(join(repoRoot, "tsconfig.json"), "utf8")) as { include?: string[] };
  const folders = new Set<string>();
  for (const pattern of tsconfig.include ?? []) {
    const first = pattern.split("/")[0];
    if (first && !first.includes("*") && first !== "test") folders.add(first);
  }
  return [...folders].sort();
}

function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = countFiles(path);
      files += inner.files;
      bytes += inner.bytes;
    } else if (entry.isFile()) {
      files += 1;
      bytes += statSync(path).size;
    }
  }
  return { files, bytes };
}

export function bundleServer(options: BundleOptions): BundleSummary {
  const { repoRoot, outDir } = options;
  const entry = join(repoRoot, "dist", "server", "cli", "main.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing; run "npm run build" in the repository first`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  for (const folder of runtimeSourceFolders(repoRoot)) {
    const built = join(repoRoot, "dist", folder);
    if (existsSync(built)) cpSync(built, join(outDir, "dist", folder), { recursive: true, filter: isRuntimeFile });
  }
  // Scripts the server hands to other runtimes (pytest plugins, fork servers, JVM agents) are read from the source
  // tree at run time (packageRoot()/server/...), so the bundle carries them at the same relative paths.
  for (const folder of runtimeSourceFolders(repoRoot)) {
    const source = join(repoRoot, folder);
    if (!existsSync(source)) continue;
    cpSync(source, join(outDir, folder), {
      recursive: true,
      filter: (path) => statSync(path).isDirectory() || RUNTIME_ASSET_EXTENSIONS.some((ext) => path.endsWith(ext)),
    });
  }
  const queries = join(repoRoot, "grammars", "queries");
  cpSync(queries, join(outDir, "grammars", "queries"), {
    recursive: true,
    filter: (source) => statSync(source).isDirectory() || source.endsWith(".scm"),
  });

  const root = readManifest(repoRoot);
  const manifest = { name: root.name, version: root.version, license: root.license, private: true, type: "module" };
  writeFileSync(join(outDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

  const packages = productionPackages(repoRoot);
  for (const dir of packages) {
    const target = join(outDir, relative(repoRoot, dir));
    const grammar = isGrammarPackage(basename(dir));
    cpSync(dir, target, {
      recursive: true,
      filter: (source) => {
        const rel = relative(dir, source);
        if (rel === "") return true;
        // Nested node_modules are copied as packages of their own, and only when something needs them.
        if (rel.split(/[\\/]/).includes("node_modules")) return false;
        if (grammar) return !rel.includes("/") && !rel.includes("\\") && keepGrammarFile(rel);
        return isRuntimeFile(rel);
      },
    });
  }
  const { files, bytes } = countFiles(outDir);
  return { packages: packages.map((dir) => relative(repoRoot, dir)), files, bytes };
}
