/** One probe: when it was sent (ms since the probe started) and whether the VIP answered in time. */
export interface ProbeSample {
  readonly seq: number;
  readonly sentAtMs: number;
  readonly answered: boolean;
}

export interface OutageSummary {
  /** Longest time between two answered probes (one interval when nothing was lost). */
  readonly longestGapMs: number;
  readonly sent: number;
  readonly lost: number;
}

/**
 * Longest gap between consecutive answered probes. Losses before the first answer count from
 * the first probe, losses after the last answer until one interval after the last probe; a run
 * with no answer at all is one gap covering the whole run.
 */
export function summarizeOutage(samples: readonly ProbeSample[], intervalMs: number): OutageSummary {
  const sent = samples.length;
  const answered = samples.filter((sample) => sample.answered).map((sample) => sample.sentAtMs);
  const lost = sent - answered.length;
  if (sent === 0) return { longestGapMs: 0, sent, lost };
  const first = samples[0].sentAtMs;
  const end = samples[sent - 1].sentAtMs + intervalMs;
  if (answered.length === 0) return { longestGapMs: end - first, sent, lost };
  let longest = Math.max(answered[0] - first, end - answered[answered.length - 1]);
  for (let i = 1; i < answered.length; i++) longest = Math.max(longest, answered[i] - answered[i - 1]);
  return { longestGapMs: Math.round(Math.max(longest, intervalMs)), sent, lost };
}

/** Parses the probe script's output lines `SEQ SENT_AT_MS 0|1`. */
export function parseProbeOutput(text: string): ProbeSample[] {
  return text
    .split("\n")
    .map((line) => /^(\d+) (\d+(?:\.\d+)?) ([01])$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ seq: Number(match[1]), sentAtMs: Number(match[2]), answered: match[3] === "1" }));
}

/** One output line of `havip-cluster probe`: `SEQ SENT_AT_MS 0|1`. */
export function formatProbeSample(sample: ProbeSample): string {
  return `${sample.seq} ${sample.sentAtMs.toFixed(1)} ${sample.answered ? 1 : 0}`;
}
