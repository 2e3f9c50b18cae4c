import { describe, expect, test } from "vitest";
import { characterToIndex, indexToCharacter } from "../../server/lsp/position-encoding.js";

// "é" is 2 UTF-8 bytes and 1 UTF-16 unit; "😀" is 4 UTF-8 bytes and 2 UTF-16 units.
const line = "aé😀b";

describe("position encodings", () => {
  test.each([
    // [character, utf-16 index, utf-8 index]
    [0, 0, 0],
    [1, 1, 1],
    [2, 2, 1], // UTF-8 offset 2 is inside "é": it snaps to the start of the character.
    [3, 3, 2],
    [7, 5, 4],
  ])("character %i -> index (utf-16 %i, utf-8 %i)", (character, utf16, utf8) => {
    expect(characterToIndex(line, character, "utf-16")).toBe(
      Math.min(character, line.length) === character ? utf16 : utf16,
    );
    expect(characterToIndex(line, character, "utf-8")).toBe(utf8);
  });

  test("round trips at character boundaries", () => {
    for (const index of [0, 1, 2, 4, 5]) {
      for (const encoding of ["utf-8", "utf-16"] as const) {
        expect(characterToIndex(line, indexToCharacter(line, index, encoding), encoding)).toBe(index);
      }
    }
    expect(indexToCharacter(line, line.length, "utf-8")).toBe(8);
    expect(indexToCharacter(line, line.length, "utf-16")).toBe(5);
  });

  test("positions past the end clamp to the line", () => {
    expect(characterToIndex(line, 99, "utf-8")).toBe(line.length);
    expect(characterToIndex(line, 99, "utf-16")).toBe(line.length);
    expect(characterToIndex(line, -3, "utf-8")).toBe(0);
  });
});
