import type { Position, Range, TextDocumentContentChangeEvent } from "vscode-languageserver/node.js";
import { characterToIndex, indexToCharacter, type PositionEncoding } from "./position-encoding.js";

/**
 * An open editor buffer. We keep our own document type rather than vscode-languageserver-textdocument because
 * that one assumes UTF-16 positions, and incremental changes arrive in whichever encoding was negotiated.
 */
export class OpenDocument {
  private lineStartsCache: number[] | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    private currentVersion: number,
    private currentText: string,
    private readonly encoding: PositionEncoding,
  ) {}

  get version(): number {
    return this.currentVersion;
  }

  get text(): string {
    return this.currentText;
  }

  private lineStarts(): number[] {
    if (!this.lineStartsCache) {
      const starts = [0];
      for (let i = 0; i < this.currentText.length; i++) {
        if (this.currentText.charCodeAt(i) === 10) starts.push(i + 1);
      }
      this.lineStartsCache = starts;
    }
    return this.lineStartsCache;
  }

  get lineCount(): number {
    return this.lineStarts().length;
  }

  /** The text of a 0-based line without its line break; "" past the end. */
  lineText(line: number): string {
    const starts = this.lineStarts();
    const start = starts[line];
    if (start === undefined) return "";
    const next = starts[line + 1];
    const end = next === undefined ? this.currentText.length : next - 1;
    return this.currentText.slice(start, end).replace(/\r$/, "");
  }

  /** String offset of an LSP position, clamped into the document. */
  offsetAt(position: Position): number {
    const starts = this.lineStarts();
    if (position.line < 0) return 0;
    const start = starts[position.line];
    if (start === undefined) return this.currentText.length;
    return start + characterToIndex(this.lineText(position.line), position.character, this.encoding);
  }

  /** LSP position of a string offset, in the negotiated encoding. */
  positionAt(offset: number): Position {
    const starts = this.lineStarts();
    const clamped = Math.min(Math.max(offset, 0), this.currentText.length);
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= clamped) low = mid;
      else high = mid - 1;
    }
    const lineStart = starts[low] ?? 0;
    return { line: low, character: indexToCharacter(this.lineText(low), clamped - lineStart, this.encoding) };
  }

  /** The range covering a whole line's text (not its line break), in the negotiated encoding. */
  lineRange(line: number): Range {
    const text = this.lineText(line);
    return {
      start: { line, character: 0 },
      end: { line, character: indexToCharacter(text, text.length, this.encoding) },
    };
  }

  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ("range" in change) {
        const start = this.offsetAt(change.range.start);
        const end = this.offsetAt(change.range.end);
        this.currentText = this.currentText.slice(0, start) + change.text + this.currentText.slice(end);
      } else {
        this.currentText = change.text;
      }
      this.lineStartsCache = undefined;
    }
    this.currentVersion = version;
  }
}

/** The open documents, by URI. */
export class DocumentStore {
  private readonly documents = new Map<string, OpenDocument>();
  private encoding: PositionEncoding = "utf-16";

  setEncoding(encoding: PositionEncoding): void {
    this.encoding = encoding;
  }

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    const document = new OpenDocument(uri, languageId, version, text, this.encoding);
    this.documents.set(uri, document);
    return document;
  }

  get(uri: string): OpenDocument | undefined {
    return this.documents.get(uri);
  }

  close(uri: string): void {
    this.documents.delete(uri);
  }

  all(): OpenDocument[] {
    return [...this.documents.values()];
  }
}
