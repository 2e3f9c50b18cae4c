/**
 * A user's file as bytes in its own encoding. The server reads sources as UTF-8 and computes edits against that
 * text; writing a patch back must leave every untouched line byte for byte as it was, whatever the encoding.
 *
 * - UTF-8 (with or without a byte-order mark) is edited as text and written as UTF-8, the mark kept.
 * - Any other bytes (Latin-1, Windows-1252 and kin) are edited through a one-char-per-byte view, so untouched lines
 *   round-trip exactly; an edited line must not need characters the file cannot hold.
 * - UTF-16 files are refused: the server never saw their text.
 */

/** A file's bytes, decoded for splicing whole lines and encodable back without touching other lines. */
export interface EditableFile {
  /** The text the server computed its edits and hash against (UTF-8 decoding, invalid bytes as U+FFFD). */
  readonly serverText: string;
  /** The text to splice lines in: one character per byte for single-byte files. */
  readonly spliceText: string;
  /** Encodes a spliced text back to bytes; throws with a reason when the text does not fit the encoding. */
  encode(text: string): Buffer;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function isUtf16(bytes: Buffer): boolean {
  return bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
}

/** Decodes a file for editing; a string result says why it cannot be edited. */
export function editableFile(bytes: Buffer): EditableFile | string {
  if (isUtf16(bytes)) return "it is UTF-16 encoded; repair-ls edits UTF-8 and single-byte encoded files only";
  const serverText = bytes.toString("utf8");
  try {
    const text = strictUtf8.decode(bytes);
    // An edit of the first line may come without the byte-order mark the line began with: keep the file's mark.
    const bom = text.startsWith("\ufeff") ? "\ufeff" : "";
    return {
      serverText,
      spliceText: text,
      encode: (t) => Buffer.from(bom && !t.startsWith(bom) ? bom + t : t, "utf8"),
    };
  } catch {
    // Not UTF-8: a single-byte encoding, edited through latin1, which maps every byte to one character and back.
  }
  return {
    serverText,
    spliceText: bytes.toString("latin1"),
    encode(text: string): Buffer {
      for (const ch of text) {
        const code = ch.codePointAt(0) ?? 0;
        if (code === 0xfffd || code > 0xff) {
          throw new Error(
            "an edited line holds characters that are not UTF-8 in this file's own encoding; edit it by hand",
          );
        }
      }
      return Buffer.from(text, "latin1");
    },
  };
}
