/**
 * LSP positions count characters in a negotiated encoding: UTF-16 code units by default, UTF-8 bytes when client and
 * server agree on it (LSP 3.17). JavaScript strings index UTF-16 code units, so every position the server reads or
 * sends goes through these two functions; getting this wrong is how peers produce edits with shifted columns.
 */
export type PositionEncoding = "utf-16" | "utf-8";

/** UTF-16 unless the client offers UTF-8, which saves clients that count bytes (Neovim, Helix) a conversion. */
export function negotiatePositionEncoding(offered: readonly string[] | undefined): PositionEncoding {
  return offered?.includes("utf-8") ? "utf-8" : "utf-16";
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/** Converts a character offset in the given encoding into a string index within the line (clamped to the line). */
export function characterToIndex(lineText: string, character: number, encoding: PositionEncoding): number {
  if (character <= 0) return 0;
  if (encoding === "utf-16") return Math.min(character, lineText.length);
  let units = 0;
  let index = 0;
  while (index < lineText.length) {
    const codePoint = lineText.codePointAt(index) ?? 0;
    const width = utf8Length(codePoint);
    // A position inside a multi-byte character snaps to its start rather than splitting it.
    if (units + width > character) break;
    units += width;
    index += codePoint > 0xffff ? 2 : 1;
  }
  return index;
}

/** Converts a string index within the line into a character offset in the given encoding. */
export function indexToCharacter(lineText: string, index: number, encoding: PositionEncoding): number {
  const end = Math.min(Math.max(index, 0), lineText.length);
  if (encoding === "utf-16") return end;
  let units = 0;
  let i = 0;
  while (i < end) {
    const codePoint = lineText.codePointAt(i) ?? 0;
    units += utf8Length(codePoint);
    i += codePoint > 0xffff ? 2 : 1;
  }
  return units;
}
