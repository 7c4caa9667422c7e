import type { ProbeSample } from "../../lib/probe/outage-summary";

/**
 * The lab probe's line format: the `probe` command prints one line per sample in the operator
 * namespace, and the drills read them back.
 */

/** Parses the probe's output lines `SEQ SENT_AT_MS 0|1 [RESPONDER]`. */
export function parseProbeOutput(text: string): ProbeSample[] {
  return text
    .split("\n")
    .map((line) => /^(\d+) (\d+(?:\.\d+)?) ([01])(?: ([A-Za-z0-9._-]{1,64}))?$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      seq: Number(match[1]),
      sentAtMs: Number(match[2]),
      answered: match[3] === "1",
      ...(match[4] === undefined ? {} : { responder: match[4] }),
    }));
}

/** One output line of the lab's `probe` command: `SEQ SENT_AT_MS 0|1`, then the responder in HTTP mode. */
export function formatProbeSample(sample: ProbeSample): string {
  const line = `${sample.seq} ${sample.sentAtMs.toFixed(1)} ${sample.answered ? 1 : 0}`;
  return sample.responder === undefined ? line : `${line} ${sample.responder}`;
}

/** The probe's first line: when its clock started (ms since the epoch), so samples can be put on the host's clock. */
export function formatProbeStart(epochMs: number): string {
  return `started ${epochMs}`;
}

/** When the probe's clock started (ms since the epoch), from its first line; undefined when the output has none. */
export function parseProbeStart(text: string): number | undefined {
  const match = /^started (\d+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}
