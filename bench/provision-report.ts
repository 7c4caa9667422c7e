/** The parts of `havip-cluster provision --json` output the benchmark reads. */
export interface ProvisionOutcome {
  readonly changed: number;
  readonly vipHolder?: string;
  /** Per node: what was done to Keepalived (`none`, `start`, `reload`, ...). */
  readonly actions: readonly string[];
}

/** Reads the provisioner's JSON report; throws naming what is missing when stdout is not one. */
export function parseProvisionOutcome(stdout: string): ProvisionOutcome {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    throw new Error(`provision --json printed no JSON report: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  const { changed, vipHolder, nodes } = (report ?? {}) as { changed?: unknown; vipHolder?: unknown; nodes?: unknown };
  if (typeof changed !== "number" || !Number.isInteger(changed) || changed < 0) {
    throw new Error(`provision report field changed ${JSON.stringify(changed)} is not a count`);
  }
  const actions = Array.isArray(nodes) ? nodes.map((node) => String((node as { action?: unknown }).action ?? "?")) : [];
  return { changed, vipHolder: typeof vipHolder === "string" ? vipHolder : undefined, actions };
}
