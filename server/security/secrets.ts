/**
 * Recognises source lines that hold credentials, so that they are never indexed, embedded (an embedder may be a
 * remote host) or put in a model's prompt. The rules favour false positives: a harmless line left out costs a
 * little context, a key sent away cannot be taken back.
 */

/** Credentials with a recognisable shape, whatever the line around them looks like. */
const KNOWN_SECRET_SHAPES: readonly RegExp[] = [
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{30,}/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/, // GitHub fine-grained tokens
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/, // OpenAI and Anthropic keys
  /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/, // Stripe keys
  /\bglpat-[A-Za-z0-9_-]{20,}/, // GitLab tokens
  /\bAIza[0-9A-Za-z_-]{35}/, // Google API keys
  /\bnpm_[A-Za-z0-9]{36}/, // npm tokens
  /\bhf_[A-Za-z0-9]{30,}/, // Hugging Face tokens
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // JSON Web Tokens
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/, // PEM and PGP private keys
  /\bhooks\.slack\.com\/services\/[A-Za-z0-9/]+/, // Slack webhooks
  /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/:@"'`]+:[^\s/@"'`]+@/, // URLs with a password
];
/** The shapes as one pattern: one scan of the line instead of one per shape. */
const KNOWN_SECRET = new RegExp(KNOWN_SECRET_SHAPES.map((shape) => shape.source).join("|"));

/**
 * A name that usually holds a credential (case aside): *TOKEN*, *PASSWORD*, *SECRET*, *CREDENTIAL*, API, access and
 * private keys, and any name ending in _KEY. A bare `key` (dictionary keys) does not count.
 */
const SECRET_NAME =
  /(?:[A-Za-z0-9_]*(?:token|passw(?:or)?d|secret|credential|api_?key|access_?key|private_?key|auth_?key)[A-Za-z0-9_]*|[A-Za-z0-9_]+_key)/i;

/**
 * An assignment of a string literal to a secret-looking name, in the syntaxes of code, configuration and env files:
 * `NAME = "v"`, `NAME: "v"`, `"NAME": "v"`, `NAME := "v"`, `const NAME: string = "v"`, `NAME => 'v'`.
 */
const QUOTED_ASSIGNMENT = new RegExp(
  String.raw`["']?\b(${SECRET_NAME.source})\b["']?\s*(?::[^=:\n]{0,40})?(?::=|=>|==?|:)\s*[a-zA-Z]{0,2}(["'\x60])([^"'\x60]*)\2`,
  "gi",
);

/** An env-file line (`API_KEY=value`, `export TOKEN=value`): the value needs no quotes there. */
const ENV_ASSIGNMENT = new RegExp(String.raw`^\s*(?:export\s+)?(${SECRET_NAME.source})=([^\s"'\x60]+)\s*$`, "i");

/** Literal values that are not credentials even under a secret-looking name. */
const PLACEHOLDER = /^(?:|x+|\*+|\.+|<[^>]*>|\$\{[^}]*\}|\$[A-Z_]+|%\([^)]*\)s|\{\{[^}]*\}\}|changeme|your[_-].*)$/i;
/** Shortest literal that counts as a value under a secret-looking name (shorter ones are separators and flags). */
const MIN_NAMED_VALUE_CHARS = 6;

/** Runs of token characters (base64 and URL-safe base64 included); long ones are tested for randomness. */
const TOKEN_RUN = /[A-Za-z0-9_+/=-]+/g;
const MIN_RANDOM_TOKEN_CHARS = 24;
/** Bits per character above which a long token may be random. */
const MIN_TOKEN_ENTROPY = 4.0;
/**
 * Share of adjacent characters that switch between lower case, upper case and digits. Random text switches at
 * about 0.6 of characters; identifiers and paths switch only between words (`utf16EncodeAsStringWorker`: 0.38).
 */
const MIN_CLASS_SWITCH_RATE = 0.45;

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function characterClass(char: string): number {
  if (char >= "a" && char <= "z") return 0;
  if (char >= "A" && char <= "Z") return 1;
  return char >= "0" && char <= "9" ? 2 : 3;
}

function classSwitchRate(token: string): number {
  let switches = 0;
  for (let i = 1; i < token.length; i++) {
    if (characterClass(token[i] ?? "") !== characterClass(token[i - 1] ?? "")) switches++;
  }
  return switches / (token.length - 1);
}

/**
 * A long token that reads as random: lower case, upper case and digits, mixed at random rather than
 * word by word, with a high entropy. Hex digests (no upper case), identifiers and paths do not qualify.
 */
function isRandomToken(token: string): boolean {
  const letters = token.replace(/[^A-Za-z0-9]/g, "");
  return (
    /[a-z]/.test(letters) &&
    /[A-Z]/.test(letters) &&
    /[0-9]/.test(letters) &&
    classSwitchRate(letters) >= MIN_CLASS_SWITCH_RATE &&
    shannonEntropy(letters) >= MIN_TOKEN_ENTROPY
  );
}

function isSecretValue(value: string): boolean {
  return value.length >= MIN_NAMED_VALUE_CHARS && !PLACEHOLDER.test(value) && !/\s/.test(value.trim());
}

/** A cheap test that lets most lines skip the assignment patterns, which are the expensive ones. */
const MAY_NAME_SECRET = /token|passw|secret|credential|key/i;

/** Whether a line (without its line break) looks like it holds a credential. */
export function isSecretLine(line: string): boolean {
  if (KNOWN_SECRET.test(line)) return true;
  if (MAY_NAME_SECRET.test(line)) {
    const env = ENV_ASSIGNMENT.exec(line);
    if (env && isSecretValue(env[2] ?? "")) return true;
    for (const match of line.matchAll(QUOTED_ASSIGNMENT)) if (isSecretValue(match[3] ?? "")) return true;
  }
  if (line.length < MIN_RANDOM_TOKEN_CHARS) return false;
  for (const token of line.match(TOKEN_RUN) ?? []) {
    if (token.length >= MIN_RANDOM_TOKEN_CHARS && isRandomToken(token)) return true;
  }
  return false;
}

/**
 * The text with every secret-looking line emptied down to its indentation. Line count, line breaks and the other
 * lines stay as they were, so line numbers computed on the text keep their meaning.
 */
export function maskSecretLines(text: string): string {
  const lines = text.split("\n");
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const body = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (!isSecretLine(body)) continue;
    lines[i] = (/^\s*/.exec(body)?.[0] ?? "") + (line.endsWith("\r") ? "\r" : "");
    changed = true;
  }
  return changed ? lines.join("\n") : text;
}
