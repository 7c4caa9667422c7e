export const BENCH_SECTIONS = ["drills", "provision", "deploy", "synth"] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export const DEFAULT_BENCH_RUNS = 3;
/** More runs than this would keep the lab busy for far longer than a benchmark should. */
export const MAX_BENCH_RUNS = 20;

/** `--runs N`: a whole number from 1 to {@link MAX_BENCH_RUNS}. */
export function parseRuns(text: string): number {
  const runs = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(runs) || runs < 1 || runs > MAX_BENCH_RUNS) {
    throw new Error(`--runs ${JSON.stringify(text)} must be a whole number from 1 to ${MAX_BENCH_RUNS}`);
  }
  return runs;
}

/** `--only drills,provision,synth`: a comma-separated subset of the sections, in the order they run. */
export function parseSections(text: string): BenchSection[] {
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(BENCH_SECTIONS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `--only ${JSON.stringify(text)} must list sections from ${BENCH_SECTIONS.join(", ")} (unknown: ${unknown.join(", ") || "none given"})`,
    );
  }
  return BENCH_SECTIONS.filter((section) => names.includes(section));
}
