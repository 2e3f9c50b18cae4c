import { readFile, utimes } from "node:fs/promises";
import { basename } from "node:path";
import { SCRATCH_COPY_POLICY, type SkipPolicy } from "../../../index/skip-policy.js";
import { walkTree } from "../../../index/tree-walk.js";

/** C and C++ files: translation units and what they include. */
const C_FAMILY = /\.(c|cc|cpp|cxx|c\+\+|m|mm|h|hh|hpp|hxx|h\+\+|inc|inl|ipp|tpp)$/i;
const C_HEADER = /\.(h|hh|hpp|hxx|h\+\+|inc|inl|ipp|tpp)$/i;
const QUOTED_INCLUDE = /^\s*#\s*include\s*"([^"]+)"/gm;

/** The last modification time handed out, so that stamps of one process never repeat. */
let lastStampMs = 0;

/**
 * A modification time later than every file written before this call: make and cargo rebuild what is older than
 * its sources. The kernel stamps writes with a coarse clock (one tick, up to 10 ms), so a source rewritten right
 * after its object was built could otherwise carry the object's very time and look up to date.
 */
function freshStampSeconds(): number {
  lastStampMs = Math.max(Date.now(), lastStampMs + 1);
  return lastStampMs / 1000;
}

/** Gives files a fresh modification time (see freshStampSeconds); a file that vanished is skipped. */
export async function stampFresh(paths: Iterable<string>): Promise<void> {
  const seconds = freshStampSeconds();
  for (const path of paths) await utimes(path, seconds, seconds).catch(() => undefined);
}

/**
 * What a scratch copy needs so that an incremental C or C++ build never links a stale object: make rebuilds an
 * object when its own source is newer, but a Makefile rarely lists the headers (or `#include`d .c files) a
 * translation unit reads. When a candidate changes such a file, every C and C++ file of the copy gets a fresh
 * time, so the next build is a full one, as a cold build would be.
 */
export class IncludedFiles {
  private known: Promise<{ files: string[]; included: Set<string> }> | undefined;

  constructor(private readonly root: string) {}

  /** Stamps every C and C++ file of the copy when any of `changed` may be read by another translation unit. */
  async stampDependents(changed: Iterable<string>): Promise<void> {
    const candidates = [...changed].filter((path) => C_FAMILY.test(path));
    if (candidates.length === 0) return;
    const { files, included } = await this.scan();
    if (candidates.some((path) => C_HEADER.test(path) || included.has(basename(path)))) await stampFresh(files);
  }

  /** The copy's C and C++ files and the base names their quoted `#include`s name, read once. */
  private scan(): Promise<{ files: string[]; included: Set<string> }> {
    this.known ??= (async () => {
      const files: string[] = [];
      // The copy's own sources: what the scratch copy took, without the linked dependency folders.
      const policy: SkipPolicy = { ...SCRATCH_COPY_POLICY, dependencies: "skip" };
      const walk = walkTree(this.root, { policy, wantsFile: (name) => C_FAMILY.test(name), onUnreadable: () => {} });
      for await (const entry of walk) if (entry.kind === "file") files.push(entry.absPath);
      const included = new Set<string>();
      for (const file of files) {
        const text = await readFile(file, "utf8").catch(() => "");
        for (const match of text.matchAll(QUOTED_INCLUDE)) included.add(basename(match[1]!));
      }
      return { files, included };
    })();
    return this.known;
  }
}
