import { pathToFileURL } from "node:url";
import {
  DiagnosticSeverity,
  TextDocumentEdit,
  type CodeAction,
  type Command,
  type Diagnostic,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver/node.js";
import type { OpenDocument } from "./documents.js";
import { CODE_ACTION_KINDS, COMMANDS } from "./protocol-names.js";
import { hashText, type CachedEdit, type CachedRepair } from "./repair-cache.js";

export const DIAGNOSTIC_SOURCE = "repair-ls";

/** A file as it is now: the open buffer (with its version) or the file on disk (version null). */
export interface CurrentFile {
  readonly document: OpenDocument;
  readonly version: number | null;
}

/** The data a lazily resolved code action carries back to codeAction/resolve. */
export interface RepairActionData {
  readonly repairId: string;
  readonly uri: string;
  readonly range: Range;
}

/** The title says exactly what was verified: which failing tests pass, and that no passing test broke. */
export function repairTitle(repair: CachedRepair): string {
  const suite = `${repair.passed}/${repair.total} tests pass`;
  if (repair.verdict === "repair") {
    return `Repair: ${repair.description} · failing tests now pass, none broken (${suite})`;
  }
  const failing = repair.fixedTests.length + repair.stillFailing.length;
  return `Partial repair: ${repair.description} · fixes ${repair.fixedTests.length} of ${failing} failing tests, none broken (${suite})`;
}

/**
 * Whether a client's `context.only` admits a kind: kinds nest by dots, so `quickfix` admits
 * `quickfix.repair-ls`, and `quickfix.repair-ls` does not admit `quickfix.repair-ls-here`. Source actions are
 * offered only when asked for by a kind that contains them, as editors expect.
 */
export function kindRequested(only: readonly string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return !kind.startsWith("source");
  return only.some((k) => k === "" || kind === k || kind.startsWith(`${k}.`));
}

/** Whether a repair was computed against exactly the texts the files have now. */
export function isCurrent(repair: CachedRepair, currentFile: (path: string) => CurrentFile | undefined): boolean {
  return repair.files.every((f) => {
    const current = currentFile(f.path);
    return current !== undefined && hashText(current.document.text) === f.baseHash;
  });
}

/**
 * The range of whole lines [startLine, endLine) and the text that replaces them (line terminators included, as the
 * pipeline computes it). Line-granular edits keep columns out of the picture, except at the end of a file that
 * lacks a final line break, where the range ends at the last character (in the negotiated encoding).
 */
export function lineEdit(document: OpenDocument, edit: Omit<CachedEdit, "oldText">): TextEdit {
  const end =
    edit.endLine < document.lineCount
      ? { line: edit.endLine, character: 0 }
      : document.lineRange(document.lineCount - 1).end;
  return { range: { start: { line: edit.startLine, character: 0 }, end }, newText: edit.newText };
}

/** Versioned edits of every hunk of every file, or undefined when any file changed since the repair was computed. */
export function repairEdit(
  repair: CachedRepair,
  currentFile: (path: string) => CurrentFile | undefined,
  versioned: boolean,
): WorkspaceEdit | undefined {
  if (!isCurrent(repair, currentFile)) return undefined;
  const documentChanges: TextDocumentEdit[] = [];
  const changes: Record<string, TextEdit[]> = {};
  for (const file of repair.files) {
    const current = currentFile(file.path);
    if (!current) return undefined;
    const uri = pathToFileURL(file.path).href;
    // Edits apply bottom-up in the client, but LSP requires non-overlapping edits in any order: sort for clarity.
    const edits = [...file.edits].sort((a, b) => a.startLine - b.startLine).map((e) => lineEdit(current.document, e));
    documentChanges.push({ textDocument: { uri, version: current.version }, edits });
    changes[uri] = edits;
  }
  return versioned ? { documentChanges } : { changes };
}

export function repairDiagnostics(repair: CachedRepair, path: string, document: OpenDocument): Diagnostic[] {
  const file = repair.files.find((f) => f.path === path);
  if (!file) return [];
  return file.edits.map((edit) => {
    const last = Math.max(edit.startLine, edit.endLine - 1);
    return {
      range: {
        start: { line: edit.startLine, character: 0 },
        end: document.lineRange(Math.min(last, document.lineCount - 1)).end,
      },
      severity: DiagnosticSeverity.Information,
      source: DIAGNOSTIC_SOURCE,
      code: "repair-available",
      message: `${repair.verdict === "repair" ? "repair" : "partial repair"} available: ${repair.description} (${repair.passed}/${repair.total} tests pass)`,
      data: { repairId: repair.id },
    };
  });
}

function rangesTouch(a: Range, startLine: number, endLine: number): boolean {
  return a.start.line <= Math.max(startLine, endLine - 1) && startLine <= a.end.line;
}

export function repairTouches(repair: CachedRepair, path: string, range: Range): boolean {
  return repair.files.some((f) => f.path === path && f.edits.some((e) => rangesTouch(range, e.startLine, e.endLine)));
}

/**
 * The request's diagnostics a repair fixes: our own "repair available" diagnostics of this repair, and other
 * servers' diagnostics on the lines it edits (a failing assertion or a compiler error there).
 */
export function diagnosticsFixedBy(
  repair: CachedRepair,
  path: string,
  diagnostics: readonly Diagnostic[],
): Diagnostic[] {
  return diagnostics.filter((d) =>
    d.source === DIAGNOSTIC_SOURCE
      ? (d.data as { repairId?: unknown } | undefined)?.repairId === repair.id
      : repairTouches(repair, path, d.range),
  );
}

/** The validated-repair action; with lazy edits the WorkspaceEdit is attached in codeAction/resolve. */
export function repairAction(options: {
  repair: CachedRepair;
  preferred: boolean;
  diagnostics: Diagnostic[];
  edit: WorkspaceEdit | undefined;
  lazyData: RepairActionData | undefined;
}): CodeAction {
  const repair = options.repair.verdict === "repair";
  const action: CodeAction = {
    title: repairTitle(options.repair),
    kind: repair ? CODE_ACTION_KINDS.repair : CODE_ACTION_KINDS.partial,
    // A partial patch leaves tests failing: it is never the one an editor applies by itself.
    isPreferred: options.preferred && repair,
    diagnostics: options.diagnostics,
  };
  if (options.lazyData) action.data = options.lazyData;
  else if (options.edit) action.edit = options.edit;
  action.command = appliedCommand([options.repair.id]);
  return action;
}

/**
 * The command a repair's code action carries: the client runs it once the edit is applied, which is how the server
 * learns that the user took the repair (for the repair memory; the server checks the files before believing it).
 */
export function appliedCommand(repairIds: readonly string[]): Command {
  return { title: "Remember the applied repair", command: COMMANDS.repairApplied, arguments: [{ repairIds }] };
}

/** "Repair here": starts the pipeline for a range (a selection, or a diagnostic from any server) in the background. */
export function repairHereAction(uri: string, range: Range, diagnostic: Diagnostic | undefined): CodeAction {
  const title = diagnostic
    ? `Repair: search for a fix of "${diagnostic.message.split("\n")[0]?.slice(0, 60) ?? ""}" (runs the tests)`
    : "Repair here (search for a fix and run the tests)";
  return {
    title,
    kind: CODE_ACTION_KINDS.repairHere,
    diagnostics: diagnostic ? [diagnostic] : [],
    command: { title, command: COMMANDS.fixHere, arguments: [{ uri, range }] },
  };
}

/**
 * The repairs `source.fixAll.repair-ls` applies for a document: validated repairs only, best first, each one
 * touching none of the lines an earlier one edits (the repairs of one job may be alternatives for the same bug).
 */
export function repairsForFixAll(repairs: readonly CachedRepair[]): CachedRepair[] {
  const chosen: CachedRepair[] = [];
  const overlaps = (a: CachedRepair, b: CachedRepair): boolean =>
    a.files.some((fa) =>
      b.files.some(
        (fb) =>
          fa.path === fb.path &&
          fa.edits.some((ea) =>
            fb.edits.some(
              (eb) =>
                ea.startLine <= Math.max(eb.startLine, eb.endLine - 1) &&
                eb.startLine <= Math.max(ea.startLine, ea.endLine - 1),
            ),
          ),
      ),
    );
  for (const repair of [...repairs].sort((a, b) => a.rank - b.rank)) {
    if (repair.verdict !== "repair" || chosen.some((c) => overlaps(c, repair))) continue;
    chosen.push(repair);
  }
  return chosen;
}

/** `source.fixAll.repair-ls`: one edit with every chosen repair, or undefined when none is current. */
export function fixAllAction(
  repairs: readonly CachedRepair[],
  currentFile: (path: string) => CurrentFile | undefined,
  versioned: boolean,
): CodeAction | undefined {
  const documentChanges: TextDocumentEdit[] = [];
  const changes: Record<string, TextEdit[]> = {};
  const chosen = repairsForFixAll(repairs.filter((r) => isCurrent(r, currentFile)));
  for (const repair of chosen) {
    const edit = repairEdit(repair, currentFile, versioned);
    for (const change of edit?.documentChanges ?? []) {
      if (!TextDocumentEdit.is(change)) continue;
      const same = documentChanges.find((d) => d.textDocument.uri === change.textDocument.uri);
      if (same) same.edits.push(...change.edits);
      else documentChanges.push({ textDocument: change.textDocument, edits: [...change.edits] });
    }
    for (const [uri, edits] of Object.entries(edit?.changes ?? {})) changes[uri] = [...(changes[uri] ?? []), ...edits];
  }
  if (documentChanges.length === 0 && Object.keys(changes).length === 0) return undefined;
  return {
    title: "Apply every validated repair (repair-ls)",
    kind: CODE_ACTION_KINDS.fixAll,
    edit: versioned ? { documentChanges } : { changes },
    command: appliedCommand(chosen.map((r) => r.id)),
  };
}
