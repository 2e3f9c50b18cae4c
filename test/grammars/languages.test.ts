import { describe, expect, it } from "vitest";
import { isLanguageId, languageById, languageForPath, LANGUAGE_IDS, LANGUAGES } from "../../grammars/languages.js";

// Written out by hand rather than derived from the language table, so that a change to the table shows up here.
const EXTENSIONS: ReadonlyArray<readonly [string, string]> = [
  [".py", "python"],
  [".pyi", "python"],
  [".js", "javascript"],
  [".mjs", "javascript"],
  [".cjs", "javascript"],
  [".jsx", "javascript"],
  [".ts", "typescript"],
  [".mts", "typescript"],
  [".cts", "typescript"],
  [".tsx", "tsx"],
  [".java", "java"],
  [".c", "c"],
  [".h", "c"],
  [".cc", "cpp"],
  [".cpp", "cpp"],
  [".cxx", "cpp"],
  [".hh", "cpp"],
  [".hpp", "cpp"],
  [".hxx", "cpp"],
  [".go", "go"],
  [".rs", "rust"],
];

describe("languageForPath", () => {
  it.each(EXTENSIONS)("maps a %s path to %s", (extension, id) => {
    expect(languageForPath(`/home/dev/project/src/module${extension}`)?.id).toBe(id);
  });

  it.each(EXTENSIONS)("maps a file: URI ending in %s to %s", (extension, id) => {
    expect(languageForPath(`file:///home/dev/project/src/module${extension}`)?.id).toBe(id);
  });

  it.each([
    ["/src/Main.JAVA", "java"],
    ["/src/words.PY", "python"],
    ["/src/app.Tsx", "tsx"],
    ["file:///src/lib.RS", "rust"],
    ["C:/work/Legacy.CPP", "cpp"],
  ])("ignores the case of the extension in %s", (path, id) => {
    expect(languageForPath(path)?.id).toBe(id);
  });

  it.each([
    ["file:///home/dev/my%20project/main.go", "go"],
    ["file:///home/dev/%C3%A9t%C3%A9/app.ts", "typescript"],
    ["file:///home/dev/src.v2/types.d.ts", "typescript"],
    ["relative/path/to/util.c", "c"],
    ["util.h", "c"],
  ])("decodes and resolves %s", (path, id) => {
    expect(languageForPath(path)?.id).toBe(id);
  });

  it.each([
    "/src/README.md",
    "/src/notes.txt",
    "/src/Makefile",
    "/src/.py",
    "/src/archive.py.bak",
    "/src.py/LICENSE",
    "file:///src/data.json",
    "",
  ])("returns undefined for %j", (path) => {
    expect(languageForPath(path)).toBeUndefined();
  });

  it("returns undefined for a file: URI it cannot turn into a local path", () => {
    expect(languageForPath("file://remote-host/share/main.py")).toBeUndefined();
  });
});

describe("language table", () => {
  it("has one entry per language id, each found again by languageById", () => {
    expect(LANGUAGES.map((l) => l.id)).toEqual([...LANGUAGE_IDS]);
    for (const id of LANGUAGE_IDS) expect(languageById(id).id).toBe(id);
  });

  it("gives no extension to two languages", () => {
    const all = LANGUAGES.flatMap((l) => l.extensions);
    expect(new Set(all).size).toBe(all.length);
    for (const extension of all) expect(extension).toMatch(/^\.[a-z]+$/);
  });

  it("recognises language ids and nothing else", () => {
    expect(isLanguageId("rust")).toBe(true);
    expect(isLanguageId("tsx")).toBe(true);
    expect(isLanguageId("Rust")).toBe(false);
    expect(isLanguageId("kotlin")).toBe(false);
  });
});
