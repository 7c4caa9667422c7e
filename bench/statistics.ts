/** Min, median and max of a set of measurements. */
export interface Spread {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** The spread of `values`, or undefined when there are none. An even count takes the mean of the middle two as median. */
export function spreadOf(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  for (const value of values) {
    if (!Number.isFinite(value)) throw new Error(`measurement ${value} is not a finite number`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { count: sorted.length, min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** `min / median / max` with `digits` decimals, or "-" when there is no measurement. */
export function formatSpread(spread: Spread | undefined, digits: number, unit = ""): string {
  if (!spread) return "-";
  const show = (value: number) => value.toFixed(digits);
  return `${show(spread.min)} / ${show(spread.median)} / ${show(spread.max)}${unit}`;
}
