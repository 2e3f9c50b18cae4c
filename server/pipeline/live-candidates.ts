import type { HunkCandidates } from "./combine/patch.js";
import type { Candidate, Hunk } from "../core/types.js";

/**
 * A hunk's candidate list that grows while it is validated: the template engine's candidates are there at once,
 * a model's arrive seconds later and join the queue by score among the candidates not handed out yet.
 *
 * The search phases read `list.candidates[j]` when they take candidate j, so the list is a view that records the
 * highest index read: everything below it has been handed out and stays where it is.
 */
export class LiveCandidates {
  readonly list: HunkCandidates;
  private readonly items: Candidate[];
  private handedOut = 0;

  constructor(hunk: Hunk, initial: readonly Candidate[]) {
    this.items = [...initial];
    const view = new Proxy(this.items, {
      get: (target, key, receiver) => {
        if (typeof key === "string" && /^\d+$/.test(key)) this.handedOut = Math.max(this.handedOut, Number(key) + 1);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    this.list = { hunk, candidates: view };
  }

  /** Inserts late candidates by score (best first) among those not handed out yet. */
  insert(late: readonly Candidate[]): void {
    for (const candidate of late) {
      let at = this.items.length;
      while (at > this.handedOut && this.items[at - 1]!.score < candidate.score) at--;
      this.items.splice(at, 0, candidate);
    }
  }

  /** How many candidates have not been handed out yet. */
  get waiting(): number {
    return this.items.length - this.handedOut;
  }

  /** Hands out every candidate not handed out yet, as a list of its own (for a follow-up phase). */
  takeWaiting(): HunkCandidates {
    const rest = this.items.slice(this.handedOut);
    this.handedOut = this.items.length;
    return { hunk: this.list.hunk, candidates: rest };
  }
}
