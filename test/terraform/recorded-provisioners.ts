/**
 * Swaps every local-exec of a configuration for one that only appends a line to `logPath`:
 * `<address> <the argv it would have run>`, so an apply reaches no machine and the test reads
 * which provisioners ran, in which order. The `environment` stays, so Terraform still evaluates
 * what it hands over (the spec locals); `when` stays too.
 */
export function recordProvisionerRuns(config: Record<string, unknown>, logPath: string): void {
  for (const [type, byName] of Object.entries((config.resource ?? {}) as Record<string, Record<string, { provisioner?: unknown }>>)) {
    for (const [name, block] of Object.entries(byName)) {
      if (!Array.isArray(block.provisioner)) continue;
      block.provisioner = block.provisioner.map((provisioner: Record<string, unknown>) => {
        const localExec = provisioner["local-exec"] as
          { interpreter?: string[]; command: string; environment?: Record<string, string>; when?: string } | undefined;
        if (!localExec) throw new Error(`${type}.${name} has a provisioner other than local-exec: ${Object.keys(provisioner).join(", ")}`);
        const argv = [...(localExec.interpreter ?? []), localExec.command].join(" ");
        return {
          "local-exec": {
            ...localExec,
            interpreter: ["sh", "-c"],
            command: 'printf "%s\\n" "$RECORDED_RUN" >> "$RECORDED_RUNS_LOG"',
            environment: { ...localExec.environment, RECORDED_RUN: `${type}.${name} ${argv}`, RECORDED_RUNS_LOG: logPath },
          },
        };
      });
    }
  }
}
