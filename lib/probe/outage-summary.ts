/** One probe: when it was sent (ms since the probe started) and whether the VIP answered in time. */
export interface ProbeSample {
  readonly seq: number;
  readonly sentAtMs: number;
  readonly answered: boolean;
  /** HTTP mode: the first word of the page that answered (the lab's page names its node). @default - TCP mode, or no answer */
  readonly responder?: string;
}

export interface OutageSummary {
  /** Longest time between two answered probes (one interval when nothing was lost). */
  readonly longestGapMs: number;
  readonly sent: number;
  readonly lost: number;
  /** HTTP mode: who answered, in order, each run of equal answers once (`[a, b]`: a answered, then b). @default - TCP mode */
  readonly responders?: readonly string[];
}

/** Responders in order with repeats collapsed; undefined when no sample names one. */
function responderSequence(samples: readonly ProbeSample[]): string[] | undefined {
  const named = samples.filter((sample) => sample.answered && sample.responder !== undefined).map((sample) => sample.responder as string);
  if (named.length === 0) return undefined;
  return named.filter((responder, index) => index === 0 || named[index - 1] !== responder);
}

/**
 * Longest gap between consecutive answered probes. Losses before the first answer count from
 * the first probe, losses after the last answer until one interval after the last probe; a run
 * with no answer at all is one gap covering the whole run.
 */
export function summarizeOutage(samples: readonly ProbeSample[], intervalMs: number): OutageSummary {
  const responders = responderSequence(samples);
  return { ...summarizeGaps(samples, intervalMs), ...(responders === undefined ? {} : { responders }) };
}

function summarizeGaps(samples: readonly ProbeSample[], intervalMs: number): OutageSummary {
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

/** What a responder may look like on a probe line (one word, so the line stays parseable). */
export const RESPONDER_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
