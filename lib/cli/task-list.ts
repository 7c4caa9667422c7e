import type { ListrTask } from "listr2";

export interface TaskListOptions {
  readonly verbose: boolean;
  /** No progress output at all (e.g. with --json). */
  readonly quiet?: boolean;
}

/** Runs tasks with listr2: a live tree on a terminal, plain lines elsewhere (CI, cdktf's local-exec). */
export async function runTaskList<Context extends object>(
  tasks: ListrTask<Context>[],
  context: Context,
  options: TaskListOptions,
): Promise<Context> {
  // Loaded here, so a run that draws no task list (--json, one node) starts without listr2.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Listr } = require("listr2") as typeof import("listr2");
  const list = new Listr<Context, "default", "simple">(tasks, {
    ctx: context,
    exitOnError: true,
    concurrent: false,
    renderer: options.quiet ? "silent" : options.verbose ? "verbose" : "default",
    fallbackRenderer: options.quiet ? "silent" : "simple",
    rendererOptions: { collapseSubtasks: false, showErrorMessage: false },
  } as never);
  return list.run();
}

/** The part of a listr2 task an event may change. */
export interface TaskView {
  title: string;
  output?: string;
}

interface Gate {
  failed?: boolean;
  readonly done: Promise<void>;
  readonly finish: () => void;
  readonly fail: (error: unknown) => void;
  view?: TaskView;
  output?: string;
  title?: string;
}

/**
 * Tasks that an operation running elsewhere finishes by reporting events: a task waits on its
 * key; `progress` sets its output, `finish` its final title. Events may arrive before the task
 * starts; `failAll` ends every task, waiting or yet to start, with the operation's error.
 */
export class TaskGates {
  private readonly gates = new Map<string, Gate>();
  private failure?: { readonly error: unknown };

  private gate(key: string): Gate {
    let gate = this.gates.get(key);
    if (!gate) {
      let finish!: () => void;
      let fail!: (error: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      // A task that never runs (disabled, or after an earlier failure) must not leave an unhandled rejection.
      done.catch(() => undefined);
      gate = { done, finish, fail };
      this.gates.set(key, gate);
      if (this.failure) fail(this.failure.error);
    }
    return gate;
  }

  /** The body of the listr2 task for `key`. */
  async wait(key: string, view: TaskView): Promise<void> {
    const gate = this.gate(key);
    gate.view = view;
    if (gate.output !== undefined) view.output = gate.output;
    await gate.done;
    if (gate.title !== undefined) view.title = gate.title;
  }

  progress(key: string, message: string): void {
    const gate = this.gate(key);
    gate.output = message;
    if (gate.view) gate.view.output = message;
  }

  finish(key: string, title?: string): void {
    const gate = this.gate(key);
    gate.title = title;
    gate.finish();
  }

  /** Ends one task with its own error (another may still finish). */
  fail(key: string, error: unknown): void {
    const gate = this.gate(key);
    gate.failed = true;
    gate.fail(error);
  }

  /** Whether `fail` ended this task. */
  failed(key: string): boolean {
    return this.gates.get(key)?.failed === true;
  }

  failAll(error: unknown): void {
    this.failure = { error };
    for (const gate of this.gates.values()) gate.fail(error);
  }
}
