import { describeNodeStep } from "./node-steps";
import type { NodeReport, ProvisionReport } from "./provision-events";
import type { NodeProvisionReport } from "./provision-node";

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

/** The one-line report of `provision --node`. */
export function formatNodeProvisionReport(report: NodeProvisionReport): string {
  const files =
    report.changedFiles.length === 0 ? "no file changed" : `${report.changedFiles.length} file(s): ${report.changedFiles.join(", ")}`;
  const action = report.action === "none" ? "leave keepalived as it is" : `${report.action} keepalived`;
  return `${report.node}: keepalived ${report.keepalivedVersion} (${report.install}); ${files}; ${report.dryRun ? "would " : ""}${action}${report.state ? `; now ${report.state}` : ""}`;
}
