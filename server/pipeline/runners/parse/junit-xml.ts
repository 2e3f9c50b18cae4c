import type { TestStatus } from "../outcomes.js";

/** One <testcase> of a JUnit XML report, as written by pytest, surefire, Gradle, ctest and node's junit reporter. */
export interface JUnitCase {
  readonly classname: string;
  readonly name: string;
  readonly file?: string;
  readonly status: TestStatus;
  /** The failure's message attribute followed by its body (the trace). */
  readonly message: string;
  /** The `time` attribute (seconds), when present. */
  readonly seconds?: number;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith("#x")) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith("#")) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    out.set(m[1]!, decodeXmlEntities(m[3] ?? m[4] ?? ""));
  }
  return out;
}

function innerText(xml: string): string {
  // CDATA is kept verbatim; everything else is entity-decoded with tags removed.
  let out = "";
  let rest = xml;
  for (;;) {
    const start = rest.indexOf("<![CDATA[");
    if (start < 0) break;
    const end = rest.indexOf("]]>", start);
    out += decodeXmlEntities(rest.slice(0, start).replace(/<[^>]*>/g, ""));
    out += rest.slice(start + 9, end < 0 ? undefined : end);
    rest = end < 0 ? "" : rest.slice(end + 3);
  }
  return out + decodeXmlEntities(rest.replace(/<[^>]*>/g, ""));
}

/**
 * Parses the <testcase> elements of one or more JUnit XML documents. Tolerant by design: a truncated report (the
 * runner was killed) yields the cases that were complete.
 */
export function parseJUnitXml(xml: string): JUnitCase[] {
  const cases: JUnitCase[] = [];
  const caseRe = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(caseRe)) {
    const attrs = attributes(m[1] ?? "");
    const body = m[3] ?? "";
    let status: TestStatus = "passed";
    let message = "";
    const problem = /<(failure|error)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (problem) {
      status = "failed";
      const problemAttrs = attributes(problem[2] ?? "");
      const head = problemAttrs.get("message") ?? problemAttrs.get("type") ?? "";
      const trace = innerText(problem[4] ?? "");
      message = head && !trace.includes(head) ? `${head}\n${trace}` : trace || head;
    } else if (/<skipped\b/.test(body)) {
      status = "skipped";
    }
    const output = /<system-out>([\s\S]*?)<\/system-out>/.exec(body);
    if (status === "failed" && output?.[1]) message += `\n${innerText(output[1])}`;
    const file = attrs.get("file");
    const seconds = Number.parseFloat(attrs.get("time") ?? "");
    cases.push({
      classname: attrs.get("classname") ?? "",
      name: attrs.get("name") ?? "",
      ...(file ? { file } : {}),
      status,
      message: message.trim(),
      ...(Number.isFinite(seconds) ? { seconds } : {}),
    });
  }
  return cases;
}
