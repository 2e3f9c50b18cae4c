import type { Embedder } from "./embedder.js";

/** Dimension of the built-in embedding: a power of two, so a hash picks a slot with a mask. */
export const BUILTIN_DIMENSION = 256;
/** Bump when the features or weights change: the id changes with it and stored indexes rebuild. */
const BUILTIN_VERSION = 1;

/*
 * Feature weights. Whole identifiers say most about what a line does; their camelCase/snake_case parts let
 * `userName`, `user_name` and `name` meet; character trigrams catch spelling variants and literals; keywords and
 * punctuation are so common across unrelated lines that they only nudge.
 */
const WEIGHT_WORD = 1.0;
const WEIGHT_SUBWORD = 0.6;
const WEIGHT_KEYWORD = 0.3;
const WEIGHT_NUMBER = 0.5;
const WEIGHT_OPERATOR = 0.35;
const WEIGHT_BRACKET = 0.15;
const WEIGHT_TRIGRAM = 0.2;

const SEED_WORD = 0x3c6ef372;
const SEED_SUBWORD = 0x1b873593;
const SEED_NUMBER = 0x27d4eb2f;
const SEED_OPERATOR = 0x165667b1;
const SEED_TRIGRAM = 0x68e31da4;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;

/** Keywords and ubiquitous names of the nine languages, down-weighted as stop words. */
const KEYWORDS = `if else elif for while do return break continue switch case default try catch except finally throw
throws raise new delete this self super class struct enum interface impl fn func function def lambda let const var
val static public private protected final abstract void int long short char float double bool boolean byte string
str true false null nil none undefined import from export package use mod pub mut as in is not and or async await
yield typeof instanceof extends implements type where match loop go defer chan range with pass assert unsigned
signed auto template typename namespace using include define ifdef endif`.split(/\s+/);

function fnv(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ lower(text.charCodeAt(i)), FNV_PRIME);
  return h >>> 0;
}

const KEYWORD_HASHES = new Set(KEYWORDS.map(fnv));

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Murmur3's finaliser: spreads the bits of a 32-bit hash so that the slot and sign bits are independent. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Character classes of identifier characters; anything else is punctuation or space.
const LOWER = 1; // lower-case letters and every non-ASCII letter
const UPPER = 2;
const DIGIT = 3;
const JOINER = 4; // `_` and `$`: split sub-tokens and are not part of any

/** Classes of the ASCII characters, looked up rather than computed: this loop runs for every character indexed. */
const ASCII_CLASS = new Uint8Array(128);
for (let c = 97; c <= 122; c++) ASCII_CLASS[c] = LOWER;
for (let c = 65; c <= 90; c++) ASCII_CLASS[c] = UPPER;
for (let c = 48; c <= 57; c++) ASCII_CLASS[c] = DIGIT;
ASCII_CLASS[95] = JOINER;
ASCII_CLASS[36] = JOINER;

function classOf(c: number): number {
  if (c < 128) return ASCII_CLASS[c] ?? 0;
  if (c !== 0xa0 && !(c >= 0x2000 && c <= 0x206f) && c !== 0x3000 && c !== 0xfeff) return LOWER;
  return 0;
}

const IS_OPERATOR = new Uint8Array(128);
for (const c of "=<>!&|+-*/%^~?:.") IS_OPERATOR[c.charCodeAt(0)] = 1;
const MAX_OPERATOR_LENGTH = 3;

function isOperator(c: number): boolean {
  return c < 128 && IS_OPERATOR[c] === 1;
}

/** Adds a feature's weight, with a hash-chosen sign, to a hash-chosen slot of the row at `base`. */
function addFeature(out: Float32Array, base: number, hash: number, weight: number): void {
  const h = mix(hash);
  const slot = base + (h & (BUILTIN_DIMENSION - 1));
  out[slot] = (out[slot] ?? 0) + ((h & 0x10000) === 0 ? weight : -weight);
}

/** Scratch space for the sub-token hashes of one identifier (an identifier has at most one per character). */
let subHashes = new Uint32Array(256);

/**
 * Writes the feature-hashed vector of one line into `out` at `base` (not yet normalised). Signed feature hashing
 * keeps unrelated lines near orthogonal.
 */
function embedLine(text: string, out: Float32Array, base: number): void {
  const n = text.length;
  if (subHashes.length < n) subHashes = new Uint32Array(n);
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = classOf(c);
    if (cls === LOWER || cls === UPPER || cls === JOINER) {
      // An identifier: hash the whole word and each camelCase/snake_case/digit-separated part in one scan.
      let word = FNV_OFFSET;
      let sub = FNV_OFFSET;
      let subBeforeLast = FNV_OFFSET;
      let subLength = 0;
      let previous = 0;
      let subCount = 0;
      let j = i;
      for (; j < n; j++) {
        const cj = text.charCodeAt(j);
        const cls2 = classOf(cj);
        if (cls2 === 0) break;
        const lowered = cj >= 65 && cj <= 90 ? cj + 32 : cj;
        word = Math.imul(word ^ lowered, FNV_PRIME);
        if (cls2 === JOINER) {
          if (subLength > 0) subHashes[subCount++] = sub;
          sub = FNV_OFFSET;
          subLength = 0;
          previous = JOINER;
          continue;
        }
        const startsPart =
          subLength > 0 && ((cls2 === UPPER && previous === LOWER) || (cls2 === DIGIT) !== (previous === DIGIT));
        if (startsPart) {
          subHashes[subCount++] = sub;
          sub = FNV_OFFSET;
          subLength = 0;
        } else if (cls2 === LOWER && previous === UPPER && subLength > 1) {
          // "HTTPServer": the last capital starts the next part, so the part so far ends one character earlier.
          subHashes[subCount++] = subBeforeLast;
          sub = Math.imul(FNV_OFFSET ^ lower(text.charCodeAt(j - 1)), FNV_PRIME);
          subLength = 1;
        }
        subBeforeLast = sub;
        sub = Math.imul(sub ^ lowered, FNV_PRIME);
        subLength++;
        previous = cls2;
      }
      if (subLength > 0) subHashes[subCount++] = sub;
      const wordHash = word >>> 0;
      if (KEYWORD_HASHES.has(wordHash)) addFeature(out, base, wordHash ^ SEED_WORD, WEIGHT_KEYWORD);
      else {
        addFeature(out, base, wordHash ^ SEED_WORD, WEIGHT_WORD);
        for (let k = 0; k < subCount; k++) addFeature(out, base, (subHashes[k] ?? 0) ^ SEED_SUBWORD, WEIGHT_SUBWORD);
      }
      i = j;
    } else if (cls === DIGIT) {
      let h = FNV_OFFSET;
      let j = i;
      for (; j < n; j++) {
        const cj = text.charCodeAt(j);
        if (classOf(cj) === 0 && cj !== 46) break;
        h = Math.imul(h ^ lower(cj), FNV_PRIME);
      }
      addFeature(out, base, (h >>> 0) ^ SEED_NUMBER, WEIGHT_NUMBER);
      i = j;
    } else if (isOperator(c)) {
      let h = FNV_OFFSET;
      let j = i;
      for (; j < n && j - i < MAX_OPERATOR_LENGTH && isOperator(text.charCodeAt(j)); j++) {
        h = Math.imul(h ^ text.charCodeAt(j), FNV_PRIME);
      }
      addFeature(out, base, (h >>> 0) ^ SEED_OPERATOR, WEIGHT_OPERATOR);
      i = j;
    } else {
      if (c !== 32) addFeature(out, base, Math.imul(FNV_OFFSET ^ c, FNV_PRIME) ^ SEED_OPERATOR, WEIGHT_BRACKET);
      i++;
    }
  }
  // Character trigrams of the lower-cased line, spaces included; each character's product is computed once.
  if (n < 3) return;
  let a = lower(text.charCodeAt(0));
  let b = lower(text.charCodeAt(1));
  for (let k = 0; k + 2 < n; k++) {
    const c = lower(text.charCodeAt(k + 2));
    addFeature(
      out,
      base,
      Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d) ^ SEED_TRIGRAM,
      WEIGHT_TRIGRAM,
    );
    a = b;
    b = c;
  }
}

/** Embeds lines synchronously into one packed, L2-normalised matrix. */
export function embedBuiltin(texts: readonly string[]): Float32Array {
  const dim = BUILTIN_DIMENSION;
  const out = new Float32Array(texts.length * dim);
  for (let row = 0; row < texts.length; row++) {
    const base = row * dim;
    embedLine(texts[row] ?? "", out, base);
    let sum = 0;
    for (let d = base; d < base + dim; d++) sum += (out[d] ?? 0) * (out[d] ?? 0);
    // A line with no features (empty) gets a fixed unit vector rather than zeros, which have no cosine.
    if (sum === 0) out[base] = 1;
    else {
      const scale = 1 / Math.sqrt(sum);
      for (let d = base; d < base + dim; d++) out[d] = (out[d] ?? 0) * scale;
    }
  }
  return out;
}

/**
 * The default embedder: no model weights and no I/O, deterministic across runs and machines, and fast (hundreds of
 * thousands of lines per second). Near-duplicate lines and lines sharing identifiers score highest.
 */
export class BuiltinEmbedder implements Embedder {
  readonly id = `builtin-v${BUILTIN_VERSION}`;
  readonly dimension = BUILTIN_DIMENSION;
  readonly local = true;

  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    return Promise.resolve(embedBuiltin(texts));
  }
}
