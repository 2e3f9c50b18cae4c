/**
 * A line embedder. Vectors are L2-normalised, so cosine similarity is a dot product, and they come back packed
 * row-major in one Float32Array (texts.length * dimension), which is the layout the Arrow vector column takes
 * without copying row by row.
 */
export interface Embedder {
  /** Identifies the vector space: a different id means stored vectors are not comparable and the index rebuilds. */
  readonly id: string;
  readonly dimension: number;
  /** True when embedding is local and cheap (no model, no I/O), so whole files may be embedded on the fly. */
  readonly local?: boolean;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array>;
}

/** Scales each row of a packed matrix to unit length in place; an all-zero row is left as it is. */
export function normaliseRows(vectors: Float32Array, dimension: number): Float32Array {
  for (let base = 0; base < vectors.length; base += dimension) {
    let sum = 0;
    for (let d = 0; d < dimension; d++) {
      const x = vectors[base + d] ?? 0;
      sum += x * x;
    }
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let d = 0; d < dimension; d++) vectors[base + d] = (vectors[base + d] ?? 0) * scale;
  }
  return vectors;
}

/** Cosine similarity of two unit vectors: their dot product. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, bOffset = 0): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += (a[d] ?? 0) * (b[bOffset + d] ?? 0);
  return sum;
}
