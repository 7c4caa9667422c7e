import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** One line of the request log: which call, how it ended, how long it took. Never a body, never a key. */
export interface RequestLogEntry {
  readonly time: string;
  readonly requestId: string;
  readonly service: string;
  readonly action: string;
  readonly region: string;
  readonly durationMs: number;
  /** The error code answered, absent on success. */
  readonly error?: string;
}

export type RequestLog = (entry: RequestLogEntry) => void;

/** Appends JSON lines to `path` (created with its directory when missing). */
export function fileRequestLog(path: string): RequestLog {
  mkdirSync(dirname(path), { recursive: true });
  return (entry) => appendFileSync(path, `${JSON.stringify(entry)}\n`);
}
