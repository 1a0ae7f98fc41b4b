/**
 * The statistics every bench reports with, defined once so that all sections mean the same by a
 * median: for an even count of values it is the mean of the two middle ones.
 */

/**
 * The value below which the share `q` (0 to 1) of `values` lies, interpolated linearly between the
 * two nearest sorted values; `NaN` for no values.
 * @example
 * quantile([4, 1, 3, 2], 0.5); // 2.5, the mean of the two middles
 */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const below = Math.floor(position);
  const lower = sorted[below] as number;
  const upper = sorted[Math.min(sorted.length - 1, below + 1)] as number;
  return lower + (upper - lower) * (position - below);
}

/** The middle of `values`: the middle one, or the mean of the two middles for an even count. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * The spread of per-round figures as text: the middle half (the quartiles) and the whole range.
 * @example
 * spread([0.9, 1, 1.1, 1.2]); // "0.97–1.13 (all 0.90–1.20)"
 */
export function spread(values: readonly number[]): string {
  const f = (value: number) => value.toFixed(2);
  return `${f(quantile(values, 0.25))}–${f(quantile(values, 0.75))} (all ${f(Math.min(...values))}–${f(Math.max(...values))})`;
}
