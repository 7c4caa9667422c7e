import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { type CloudState, emptyCloudState, STATE_FORMAT_VERSION } from "./cloud-state";

/**
 * The state file: loaded once, written after every change and before the answer is sent, by
 * writing a temporary file, syncing it and renaming it over the old one, so a killed endpoint
 * leaves either the old or the new state, never half of one.
 */
export class StateStore {
  private current: CloudState;
  private readonly listeners: ((state: Readonly<CloudState>) => void)[] = [];

  private constructor(
    readonly path: string,
    state: CloudState,
  ) {
    this.current = state;
  }

  /** Opens `path`, or starts empty when it does not exist yet. */
  static open(path: string): StateStore {
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text === undefined) return new StateStore(path, emptyCloudState());
    const parsed = JSON.parse(text) as CloudState;
    if (parsed.formatVersion !== STATE_FORMAT_VERSION) {
      throw new Error(
        `${path}: state format ${String(parsed.formatVersion)} is not the one this local cloud writes (${STATE_FORMAT_VERSION})`,
      );
    }
    return new StateStore(path, { ...emptyCloudState(), ...parsed });
  }

  /** The state as it is now; change it only through `mutate`. */
  get state(): Readonly<CloudState> {
    return this.current;
  }

  /** Applies `change` and writes the result; if `change` throws, nothing is written and the state is as before. */
  mutate<T>(change: (state: CloudState) => T): T {
    const draft = structuredClone(this.current);
    const result = change(draft);
    this.write(draft);
    this.current = draft;
    for (const listener of this.listeners) listener(draft);
    return result;
  }

  /** Calls `listener` with the new state after every change that was written. */
  subscribe(listener: (state: Readonly<CloudState>) => void): void {
    this.listeners.push(listener);
  }

  private write(state: CloudState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(temporary, "w", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(state, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}
