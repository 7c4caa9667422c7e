import { CommanderError, type Command } from "commander";
import { EXIT_BAD_INPUT, EXIT_FAILURE } from "./exit-codes";

export interface ProgramErrors {
  /** Prefix of the one-line error message on stderr, e.g. `havip-cluster`. */
  readonly name: string;
  /** Errors that are bad input (exit 2: nothing was changed); every other error exits 1. */
  readonly isBadInput: (error: unknown) => boolean;
}

/** Runs a commander program and maps its outcome onto exit codes: the one place that does it. */
export async function runProgram(program: Command, argv: readonly string[], errors: ProgramErrors): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help).
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    process.stderr.write(`${errors.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = errors.isBadInput(error) ? EXIT_BAD_INPUT : EXIT_FAILURE;
  }
}
