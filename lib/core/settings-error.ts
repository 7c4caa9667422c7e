/** One broken rule: which field, which value, and what the rule is. */
export interface SettingsProblem {
  /** Dotted path of the field, e.g. `havips[0].address` or `keepalived.authPass`. */
  readonly field: string;
  /** The offending value as shown to the user (secrets are shown by length only). */
  readonly value: string;
  /** The rule, phrased so the message reads `field value rule`. */
  readonly rule: string;
}

export function describeProblem(problem: SettingsProblem): string {
  return `${problem.field} ${problem.value} ${problem.rule}`;
}

/** Thrown before anything is emitted or changed when settings break one or more rules. */
export class SettingsError extends Error {
  public readonly problems: readonly SettingsProblem[];

  constructor(context: string, problems: readonly SettingsProblem[]) {
    const lines = problems.map(describeProblem);
    super(lines.length === 1 ? `${context}: ${lines[0]}` : `${context}:\n  - ${lines.join("\n  - ")}`);
    this.name = "SettingsError";
    this.problems = problems;
  }
}

/** Throws a SettingsError when there is any problem. */
export function throwIfProblems(context: string, problems: readonly SettingsProblem[]): void {
  if (problems.length > 0) throw new SettingsError(context, problems);
}
