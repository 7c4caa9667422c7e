import * as fs from "node:fs";
import { runCommand } from "./host-command";

/** Host PIDs of every process in a named network namespace (`ip netns pids`); empty if it is gone. */
export async function networkNamespacePids(namespace: string): Promise<number[]> {
  const result = await runCommand(["ip", "netns", "pids", namespace]);
  if (result.code !== 0) return [];
  return result.stdout
    .split(/\s+/)
    .filter((word) => /^\d+$/.test(word))
    .map(Number);
}

export interface ProcessFacts {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  /** One letter: R running, S sleeping, Z zombie (exited, not yet reaped)... */
  readonly state: string;
  /** PIDs from the host's pid namespace inward (`NSpid:`); the last is the PID the process sees for itself. */
  readonly nsPids: readonly number[];
}

/** Parses /proc/PID/status. */
export function parseProcessStatus(pid: number, statusText: string): ProcessFacts {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(statusText)?.[1]?.trim() ?? "";
  return {
    pid,
    ppid: Number(field("PPid")),
    name: field("Name"),
    state: field("State").charAt(0),
    nsPids: field("NSpid")
      .split(/\s+/)
      .filter((word) => word.length > 0)
      .map(Number),
  };
}

/** Facts about a process, or undefined when it has exited. */
export function readProcessFacts(pid: number): ProcessFacts | undefined {
  try {
    return parseProcessStatus(pid, fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return undefined;
  }
}

/** The pid namespace a process lives in (`pid:[4026532…]`), or undefined when it has exited. */
export function pidNamespaceOf(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
