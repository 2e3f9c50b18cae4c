import type { RepairState } from "./protocol.js";

/** What the status bar item shows for each server state: text with a codicon, a tooltip, and a tone. */
export interface StatusPresentation {
  readonly text: string;
  readonly tooltip: string;
  readonly tone: "normal" | "warning" | "error";
}

export type ClientState = RepairState | "starting" | "stopped";

const LABELS: Readonly<Record<ClientState, { icon: string; label: string; tone: StatusPresentation["tone"] }>> = {
  starting: { icon: "$(loading~spin)", label: "starting", tone: "normal" },
  idle: { icon: "$(check)", label: "idle", tone: "normal" },
  indexing: { icon: "$(sync~spin)", label: "indexing", tone: "normal" },
  repairing: { icon: "$(tools)", label: "repairing", tone: "normal" },
  "ollama-unavailable": { icon: "$(warning)", label: "Ollama unavailable", tone: "warning" },
  stopped: { icon: "$(error)", label: "stopped", tone: "error" },
};

export function presentStatus(state: ClientState, message = ""): StatusPresentation {
  const { icon, label, tone } = LABELS[state];
  const detail = message.trim();
  return {
    text: `${icon} Repair: ${label}`,
    tooltip: detail
      ? `repair-ls: ${detail}\nClick to show the output.`
      : `repair-ls ${label}\nClick to show the output.`,
    tone,
  };
}
