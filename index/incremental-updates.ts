import { basename, posix } from "node:path";
import { languageForPath } from "../grammars/languages.js";
import { commitPrepared, embedPrepared, prepareFile } from "./file-batches.js";
import { INFO_EXCLUDE } from "./ignore-rules.js";
import { contentHash, type IndexContext } from "./index-context.js";
import { briefErrorMessage } from "../server/core/error-message.js";
import type { Maintenance } from "./maintenance.js";
import { toAbsolute, toWorkspaceRelative } from "./paths.js";
import { checkSourceText, readSourceFile } from "./read-source.js";
import type { WriterRole } from "./writer-role.js";

/**
 * Incremental updates of single files and folders: debounced buffer edits, saves and watched changes, deletions
 * and renames. Every update bumps the file's generation, so that an older version still being embedded is never
 * committed over a newer one. Methods never reject: failures are logged.
 */
export class IncrementalUpdates {
  /** Debounced updates: the timer and the text it will index. */
  private readonly debounced = new Map<string, { timer: NodeJS.Timeout; text: string }>();

  constructor(
    private readonly context: IndexContext,
    private readonly role: WriterRole,
    private readonly maintenance: Maintenance,
  ) {}

  /** Updates waiting for their debounce delay. */
  get pending(): number {
    return this.debounced.size;
  }

  /** Re-indexes one file once its text stopped changing for index.debounceMs. */
  scheduleUpdate(absPath: string, text: string): void {
    const rel = toWorkspaceRelative(this.context.root, absPath);
    if (!rel || this.context.closed) return;
    clearTimeout(this.debounced.get(rel)?.timer);
    const timer = setTimeout(() => {
      this.debounced.delete(rel);
      void this.updateFile(absPath, text);
    }, this.context.config["index.debounceMs"]);
    timer.unref();
    this.debounced.set(rel, { timer, text });
  }

  /** Re-indexes one file now, from `text` or from the disk; resolves to whether rows were written. */
  async updateFile(absPath: string, text?: string): Promise<boolean> {
    const { context, role } = this;
    const rel = toWorkspaceRelative(context.root, absPath);
    if (!rel || context.closed) return false;
    clearTimeout(this.debounced.get(rel)?.timer);
    this.debounced.delete(rel);
    if (basename(rel) === ".gitignore" || rel === INFO_EXCLUDE) {
      // New ignore rules apply from the next walk; files they now exclude drop out then.
      await this.ignoreFileChanged(absPath);
      return false;
    }
    const language = languageForPath(rel);
    if (!language) return false;
    if (text === undefined) context.bufferTexts.delete(rel);
    else context.bufferTexts.set(rel, text);
    if (!(await role.ensureWriter())) return false;
    const generation = context.bumpGeneration(rel);
    const maxFileBytes = context.config["index.maxFileBytes"];
    try {
      if (await context.rules.isIgnored(rel, false)) {
        if (role.files.has(rel)) await this.removeRelative([rel]);
        return false;
      }
      let source: string;
      if (text !== undefined) {
        const checked = checkSourceText(text, maxFileBytes);
        if (!checked.ok) {
          context.logger.debug(`not indexing ${rel}: ${checked.reason}`);
          if (role.files.has(rel)) await this.removeRelative([rel]);
          return false;
        }
        source = text;
      } else {
        const read = await readSourceFile(absPath, maxFileBytes);
        if (!read.ok) {
          context.logger.debug(`not indexing ${rel}: ${read.reason} (${read.detail})`);
          if (role.files.has(rel)) await this.removeRelative([rel]);
          return false;
        }
        source = read.text;
      }
      return await role.enqueue(async () => {
        if (!role.store?.writable || context.generationOf(rel) !== generation) return false;
        const hash = contentHash(source);
        if (role.files.get(rel) === hash) return false;
        const prepared = await prepareFile(context, { rel, language: language.id, text: source, hash }, generation);
        await embedPrepared(context, [prepared]);
        await commitPrepared(context, role, [prepared]);
        this.maintenance.afterUpdate();
        return true;
      });
    } catch (error) {
      context.logger.warn(`updating ${rel} failed: ${briefErrorMessage(error)}`);
      return false;
    }
  }

  /**
   * A .gitignore (or .git/info/exclude) was created, changed or deleted: its folder's rules are read afresh by the next walk. Resolves to
   * whether that walk is due: an ignore file outside the workspace, or inside a folder that is itself ignored (the
   * walk never enters it, e.g. the index's own .repair-ls/.gitignore), changes nothing.
   */
  async ignoreFileChanged(absPath: string): Promise<boolean> {
    const rel = toWorkspaceRelative(this.context.root, absPath);
    if (rel === INFO_EXCLUDE) {
      this.context.rules.invalidate(".git/info");
      return true;
    }
    if (!rel || basename(rel) !== ".gitignore") return false;
    const folder = posix.dirname(rel) === "." ? "" : posix.dirname(rel);
    this.context.rules.invalidate(folder);
    return folder === "" || !(await this.context.rules.isIgnored(folder, true));
  }

  /** Relative index paths of a file or of every file under a folder. */
  private matching(rel: string): string[] {
    const prefix = `${rel}/`;
    return [...this.role.files.keys()].filter((f) => f === rel || f.startsWith(prefix));
  }

  private removeRelative(rels: string[]): Promise<void> {
    return this.role.enqueue(async () => {
      if (!this.role.store?.writable) return;
      await this.role.store.deleteFiles(rels);
      for (const r of rels) this.role.files.delete(r);
      this.maintenance.afterUpdate();
    });
  }

  /** Drops a deleted file, or every file under a deleted folder. */
  async removeFile(absPath: string): Promise<void> {
    const { context } = this;
    const rel = toWorkspaceRelative(context.root, absPath);
    if (rel && basename(rel) === ".gitignore") await this.ignoreFileChanged(absPath);
    if (!rel || !(await this.role.ensureWriter())) return;
    const prefix = `${rel}/`;
    for (const [key, pending] of this.debounced) {
      if (key === rel || key.startsWith(prefix)) {
        clearTimeout(pending.timer);
        this.debounced.delete(key);
      }
    }
    for (const key of [...context.bufferTexts.keys()])
      if (key === rel || key.startsWith(prefix)) context.bufferTexts.delete(key);
    for (const key of this.matching(rel)) context.bumpGeneration(key);
    const targets = this.matching(rel);
    if (targets.length === 0) return;
    await this.removeRelative(targets).catch((error: unknown) =>
      context.logger.warn(`removing ${rel} failed: ${briefErrorMessage(error)}`),
    );
  }

  /**
   * Follows a renamed file or folder: rows move to the new path without re-embedding when the language stays the
   * same and the new path is not ignored; then each moved file is checked against the disk (a rename may come with
   * an edit).
   */
  async renameFile(oldAbsPath: string, newAbsPath: string): Promise<void> {
    const { context, role } = this;
    const from = toWorkspaceRelative(context.root, oldAbsPath);
    const to = toWorkspaceRelative(context.root, newAbsPath);
    if (!(await role.ensureWriter())) return;
    if (!from) {
      if (to) await this.updateFile(newAbsPath);
      return;
    }
    const moves = this.matching(from).map((old) => ({ old, next: to ? to + old.slice(from.length) : undefined }));
    try {
      for (const { old, next } of moves) {
        context.bumpGeneration(old);
        const buffered = context.bufferTexts.get(old);
        context.bufferTexts.delete(old);
        const keep =
          next !== undefined &&
          languageForPath(next)?.id === languageForPath(old)?.id &&
          !(await context.rules.isIgnored(next, false));
        if (!keep || next === undefined) {
          await this.removeRelative([old]);
          if (next !== undefined) await this.updateFile(toAbsolute(context.root, next));
          continue;
        }
        context.bumpGeneration(next);
        await role.enqueue(async () => {
          const hash = role.files.get(old);
          if (!role.store?.writable || hash === undefined) return;
          await role.store.renameFile(old, next);
          role.files.delete(old);
          role.files.set(next, hash);
          this.maintenance.afterUpdate();
        });
        await this.updateFile(toAbsolute(context.root, next), buffered);
      }
      if (moves.length === 0 && to) await this.updateFile(newAbsPath);
    } catch (error) {
      context.logger.warn(`renaming ${from} failed: ${briefErrorMessage(error)}`);
    }
  }

  /** Writes every debounced update now. */
  async flush(): Promise<void> {
    for (const [rel, pending] of [...this.debounced]) {
      clearTimeout(pending.timer);
      this.debounced.delete(rel);
      await this.updateFile(toAbsolute(this.context.root, rel), pending.text);
    }
  }

  /** Drops the debounced updates (at close). */
  cancelPending(): void {
    for (const pending of this.debounced.values()) clearTimeout(pending.timer);
    this.debounced.clear();
  }
}
