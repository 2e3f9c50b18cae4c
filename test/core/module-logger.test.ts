import { describe, expect, it } from "vitest";
import { moduleLogger, type Logger } from "../../server/core/types.js";

function recording(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    error: (m) => lines.push(`error ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    info: (m) => lines.push(`info ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
  return { logger, lines };
}

describe("moduleLogger", () => {
  it("prefixes every level with the module's name", () => {
    const { logger, lines } = recording();
    const index = moduleLogger(logger, "index");
    index.error("a");
    index.warn("b");
    index.info("c");
    index.debug("d");
    expect(lines).toEqual(["error index: a", "warn index: b", "info index: c", "debug index: d"]);
  });

  it("names the module that wrote a message when one module's logger is handed to another", () => {
    const { logger, lines } = recording();
    const repair = moduleLogger(logger, "repair");
    moduleLogger(repair, "strategies").info("no model session");
    moduleLogger(moduleLogger(repair, "repair"), "repair").warn("once");
    expect(lines).toEqual(["info strategies: no model session", "warn repair: once"]);
  });
});
