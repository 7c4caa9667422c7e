import { Listr, type ListrTask } from "listr2";

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
