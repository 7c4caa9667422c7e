import { readFileSync } from "node:fs";
import { DEFAULT_NOTIFY_LOG_PATH } from "../../lib/core/limits";
import { CLUSTER_SPEC_ENV, cliArgv, provisionArgv } from "../../lib/spec/provision-invocation";
import { LAB_SERVICE_PAGE_PATH, type LabService } from "../lab-cluster-spec";
import type { LabLayout } from "../lab-layout";
import { healPartition, partitionServers } from "../network/lab-partition";
import { runInOperatorNamespace } from "../network/lab-operator";
import { startOutageProbe } from "../probe/outage-probe";
import { setLink } from "../servers/server-inspection";
import type { DrillTarget, FailoverTestFacts } from "./drill-target";
import { BARE_LAB_TIMING } from "./drill-timing";

/** A bare lab as the drills need it: its layout, and the service `lab up --service` put behind the VIP. */
export type DrillLab = LabLayout & { readonly service?: LabService };

/** Parses failover-test's `--json` report, or throws with what the command said instead. */
export function failoverTestReport(result: { code: number; stdout: string; stderr: string }): FailoverTestFacts {
  let report: FailoverTestFacts | undefined;
  try {
    report = JSON.parse(result.stdout) as FailoverTestFacts;
  } catch {
    report = undefined;
  }
  if (typeof report?.passed !== "boolean" || !Array.isArray(report.problems)) {
    throw new Error(`failover-test gave no report (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim() || "no output"}`);
  }
  return report;
}

/**
 * The bare lab as a drill target: servers a and b on one bridge, the VIP plain Layer 2 (whoever
 * holds it answers ARP), the client in the operator namespace on the same bridge, a partition made
 * by isolating the two servers' bridge ports. Its timing is the lab spec's.
 */
export function bareLabTarget(lab: DrillLab): DrillTarget {
  const env = () => ({ ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") });
  const byHostname = new Map(Object.values(lab.servers).map((server) => [server.hostname, server.name]));
  return {
    label: `bare lab ${lab.prefix}`,
    group: lab,
    ...(lab.service === undefined ? {} : { service: lab.service }),
    timing: BARE_LAB_TIMING,
    notifyLogPath: DEFAULT_NOTIFY_LOG_PATH,
    clientTarget: lab.service === undefined ? `TCP ${lab.vip}:9 (VIP)` : `http://${lab.vip}${LAB_SERVICE_PAGE_PATH} (VIP)`,
    // With a service the client is what a user runs: a GET of the page through the VIP every 50 ms.
    startClient: (seconds) =>
      startOutageProbe(
        lab,
        lab.service === undefined
          ? { intervalMs: 100, maxProbes: Math.ceil(seconds * 10) }
          : { httpPath: LAB_SERVICE_PAGE_PATH, intervalMs: 50, maxProbes: Math.ceil(seconds * 20) },
      ),
    responderNode: (word) => byHostname.get(word) ?? word,
    reprovision: async () => {
      const result = await runInOperatorNamespace(lab, [...provisionArgv(), "--json"], { env: env(), timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(`re-provisioning the lab failed (exit ${result.code}): ${result.stderr.trim()}`);
    },
    failoverTest: async () =>
      failoverTestReport(
        await runInOperatorNamespace(lab, [...cliArgv("failover-test"), "--json", "--probe-port", "9"], { env: env(), timeoutMs: 120_000 }),
      ),
    restoreLink: (node) => setLink(lab, node as "a" | "b", "up"),
    partition: () => partitionServers(lab),
    heal: () => healPartition(lab),
  };
}
