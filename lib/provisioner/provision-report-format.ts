import { describeNodeStep } from "../core/plan/plan-node-steps";
import type { NodeReport, ProvisionReport } from "./provision-events";

function formatNodePreview(node: NodeReport): string {
  const preview = node.preview;
  if (!preview) return "";
  const lines = [`== ${node.node} (${preview.sshHost}, ${preview.osPrettyName})`];
  lines.push(
    preview.keepalivedInstalled
      ? `keepalived: ${node.keepalivedVersion} installed`
      : `keepalived: not installed; would install it with ${preview.packageManager ?? "(no package manager found)"}`,
  );
  if (preview.missingPackages.length > 0) lines.push(`packages: would install ${preview.missingPackages.join(", ")}`);
  if (preview.packageHold !== undefined) lines.push(`package: would ${preview.packageHold}`);
  lines.push(...preview.servicePreparation.map((line) => `would ${line}`));
  lines.push(...preview.changes);
  if (node.changedFiles.length === 0) lines.push("files: all up to date");
  lines.push(`then: ${node.action} keepalived (${node.reason ?? "-"})`);
  if (node.refusal !== undefined) lines.push(`  REFUSED: ${node.refusal}`);
  lines.push(...(node.steps ?? []).map((step) => `  ${describeNodeStep(step)}`));
  return lines.join("\n");
}

function outcome(node: NodeReport, dryRun: boolean): string {
  if (node.refusal !== undefined) return "would refuse to change keepalived (see REFUSED above)";
  const action = node.action === "none" ? "leave keepalived as it is" : `${node.action} keepalived`;
  return `${dryRun ? "would " : ""}${action}`;
}

export function formatProvisionReport(report: ProvisionReport): string {
  const lines: string[] = [];
  const previews = report.nodes.map(formatNodePreview).filter((text) => text !== "");
  if (previews.length > 0) lines.push(previews.join("\n\n"), "");
  for (const node of report.nodes) {
    const files =
      node.changedFiles.length === 0 ? "no file changed" : `${node.changedFiles.length} file(s): ${node.changedFiles.join(", ")}`;
    lines.push(
      `${node.node}: keepalived ${node.keepalivedVersion} (${node.install}${node.packageHold ? `, package ${node.packageHold}` : ""}); ${files}; ${outcome(node, report.dryRun)}`,
    );
  }
  lines.push(`${report.dryRun ? "dry run: " : ""}${report.changed} changed${report.vipHolder ? `; VIP holder: ${report.vipHolder}` : ""}`);
  return lines.join("\n");
}

/** What a one-node run (`provision --node`) reports as JSON: the cluster and the one node's outcome. */
export interface NodeRunSummary {
  readonly cluster: string;
  readonly node: string;
  readonly dryRun: boolean;
  readonly keepalivedVersion: string;
  readonly install: string;
  readonly changedFiles: readonly string[];
  readonly action: string;
  /** The Keepalived state the node settled in (MASTER or BACKUP); absent in a dry run. */
  readonly state?: string;
}

/** The summary of a one-node run's report (its only node). */
export function nodeRunSummary(report: ProvisionReport): NodeRunSummary {
  const [node] = report.nodes;
  return {
    cluster: report.cluster,
    node: node.node,
    dryRun: report.dryRun,
    keepalivedVersion: node.keepalivedVersion,
    install: node.install,
    changedFiles: node.changedFiles,
    action: node.action,
    state: node.state,
  };
}

/** The one-line report of `provision --node`. */
export function formatNodeProvisionReport(report: ProvisionReport): string {
  const summary = nodeRunSummary(report);
  const files =
    summary.changedFiles.length === 0 ? "no file changed" : `${summary.changedFiles.length} file(s): ${summary.changedFiles.join(", ")}`;
  const action = summary.action === "none" ? "leave keepalived as it is" : `${summary.action} keepalived`;
  return `${summary.node}: keepalived ${summary.keepalivedVersion} (${summary.install}); ${files}; ${summary.dryRun ? "would " : ""}${action}${summary.state ? `; now ${summary.state}` : ""}`;
}
