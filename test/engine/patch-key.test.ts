import { describe, expect, it } from "vitest";
import { patchKey } from "../../server/pipeline/combine/patch.js";
import { normaliseForVoting } from "../../server/pipeline/rank.js";
import { sha256 } from "../../server/pipeline/workspace-files.js";

describe("patchKey", () => {
  it("does not depend on the order in which files were touched", () => {
    const one = new Map([
      ["/w/b.py", "b = 2\n"],
      ["/w/a.py", "a = 1\n"],
    ]);
    const other = new Map([
      ["/w/a.py", "a = 1\n"],
      ["/w/b.py", "b = 2\n"],
    ]);
    expect(patchKey(one, sha256)).toBe(patchKey(other, sha256));
  });

  it("tells patches apart by file and by text, exactly or after the caller's normalisation", () => {
    const spaced = new Map([["/w/a.py", "a  =  1\n"]]);
    const tight = new Map([["/w/a.py", "a = 1\n"]]);
    expect(patchKey(spaced, sha256)).not.toBe(patchKey(tight, sha256));
    expect(patchKey(spaced, normaliseForVoting)).toBe(patchKey(tight, normaliseForVoting));
    expect(patchKey(new Map([["/w/b.py", "a = 1\n"]]), sha256)).not.toBe(patchKey(tight, sha256));
    // A file name cannot run into its text: "/w/a" + "b..." differs from "/w/ab" + "...".
    expect(patchKey(new Map([["/w/a", "b"]]), (t) => t)).not.toBe(patchKey(new Map([["/w/ab", ""]]), (t) => t));
  });
});
