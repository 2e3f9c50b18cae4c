import { readFile } from "node:fs/promises";
import type { SkipReason } from "./walk.js";

/** How many leading bytes are searched for a NUL byte, git's own heuristic for "binary". */
const BINARY_SNIFF_BYTES = 8192;

export type SourceRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: SkipReason; readonly detail: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether the bytes look binary: a NUL byte in the first 8 KiB. */
function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/**
 * Reads a source file as text, or says why it is not indexed: vanished since the walk, unreadable (permissions),
 * grown past the size limit, binary, or not valid UTF-8. Invalid UTF-8 is skipped rather than decoded with
 * replacement characters, because lines with U+FFFD would never match the text an editor shows.
 */
export async function readSourceFile(absPath: string, maxFileBytes: number): Promise<SourceRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(absPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === "ENOENT" ? "vanished" : "unreadable", detail: String(error) };
  }
  return decodeSource(bytes, maxFileBytes);
}

/**
 * The same size and binary checks for text that is already decoded (an editor buffer). It cannot be invalid
 * UTF-8, so there is nothing to decode and no need to encode it first.
 */
export function checkSourceText(text: string, maxFileBytes: number): SourceRead {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxFileBytes) return { ok: false, reason: "too-large", detail: `${bytes} bytes` };
  if (text.slice(0, BINARY_SNIFF_BYTES).includes("\0")) {
    return { ok: false, reason: "binary", detail: "NUL byte in the first 8 KiB" };
  }
  return { ok: true, text };
}

/** The text of a file's bytes, with the same checks as readSourceFile. */
export function decodeSource(bytes: Uint8Array, maxFileBytes: number): SourceRead {
  if (bytes.length > maxFileBytes) return { ok: false, reason: "too-large", detail: `${bytes.length} bytes` };
  if (looksBinary(bytes)) return { ok: false, reason: "binary", detail: "NUL byte in the first 8 KiB" };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch (error) {
    return { ok: false, reason: "invalid-utf8", detail: String(error) };
  }
}
