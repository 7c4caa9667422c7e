import { describe, expect, it } from "vitest";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { renderNodeFiles, renderNonlocalBindSysctl } from "../../../lib/core/keepalived";
import { APPLIED_FINGERPRINT_PATH, NONLOCAL_BIND_SYSCTL_PATH } from "../../../lib/core/limits";
import type { NodeObservation } from "../../../lib/core/node/observe-node";
import { keepalivedInputsFingerprint, sha256Hex } from "../../../lib/core/plan/plan-node-changes";
import { planNodePreparation } from "../../../lib/core/plan/plan-node-preparation";
import { type NodeToPlan, planProvisioning } from "../../../lib/core/plan/plan-provisioning";
import { planServiceSteps, serviceSetupFingerprint } from "../../../lib/core/plan/plan-service-steps";
import { requireValidClusterSpec, withAuthPass } from "../../../lib/core/validation";
import { clusterSpec } from "../../fixtures/keepalived-spec";

const PASS = "Pr0vPass";
const spec = requireValidClusterSpec(
  clusterSpec({ serviceSetup: { packages: ["nginx"], command: "systemctl enable --now nginx" }, healthCheck: clusterSpec().healthCheck }),
);
const [primary, secondary] = spec.nodes;

/** What a node provisioned with `settled` reports: its files in place, the records written, Keepalived running. */
function provisionedObservation(settled: ClusterSpec, index: 0 | 1, holdsVip: boolean): NodeObservation {
  const [self, peer] = index === 0 ? settled.nodes : [settled.nodes[1], settled.nodes[0]];
  const files = renderNodeFiles(withAuthPass(requireValidClusterSpec(settled), PASS), {
    ownIp: self.privateIp,
    peerIp: peer.privateIp,
    keepalivedVersion: "2.2.7",
  });
  const sysctl = renderNonlocalBindSysctl();
  return {
    facts: {
      osId: "debian",
      osPrettyName: "Debian GNU/Linux 12 (bookworm)",
      packageManager: "apt-get",
      initSystem: "systemd",
      keepalivedVersionLine: "Keepalived v2.2.7 (01/16,2022)",
      interfaces: ["lo", "eth0"],
      commands: ["curl", "logrotate"],
    },
    keepalived: {
      running: true,
      runState: "running",
      addresses: [self.privateIp, ...(holdsVip ? settled.vips : [])],
      notifiedState: holdsVip ? "MASTER" : "BACKUP",
    },
    files: [...files, sysctl].map((file) => ({
      path: file.path,
      exists: true,
      sha256: sha256Hex(file.content),
      mode: file.mode,
      owner: file.owner,
      group: file.group,
    })),
    configAuthPass: PASS,
    appliedFingerprint: keepalivedInputsFingerprint(files),
    serviceSetupFingerprint: serviceSetupFingerprint(settled),
    nonlocalBind: "1",
    installedPackages: ["nginx"],
    keepalivedHeld: true,
  };
}

const toPlan = (observations: [NodeObservation, NodeObservation]): NodeToPlan[] => [
  { node: primary, peer: secondary, keepalivedVersion: "2.2.7", observation: observations[0] },
  { node: secondary, peer: primary, keepalivedVersion: "2.2.7", observation: observations[1] },
];
const neverGenerate = () => {
  throw new Error("the pair's password must be kept, not a new one made up");
};

describe("planProvisioning from the nodes' observations", () => {
  const steady: [NodeObservation, NodeObservation] = [provisionedObservation(spec, 0, true), provisionedObservation(spec, 1, false)];

  it("plans nothing at all for a provisioned pair: no preparation, no service step, no Keepalived step", () => {
    const plan = planProvisioning(spec, toPlan(steady), { currentAuthPasses: [PASS, PASS], generateAuthPass: neverGenerate });
    expect(plan.authPassSource).toBe("nodes");
    expect(plan.spec.authPass).toBe(PASS);
    expect(plan.rollout.map((step) => [step.nodeName, step.action])).toEqual([
      ["secondary", "none"],
      ["primary", "none"],
    ]);
    for (const node of plan.nodes) {
      expect(node.changes.pending).toEqual([]);
      expect(node.service).toEqual([]);
      expect(node.steps.steps).toEqual([]);
      expect(planNodePreparation(spec, node.observation)).toEqual([]);
    }
  });

  it("touches only what differs: a changed setup command runs the setup again, on both nodes, and nothing else", () => {
    const changed = requireValidClusterSpec({ ...spec, serviceSetup: { packages: ["nginx"], command: "systemctl restart nginx" } });
    const plan = planProvisioning(changed, toPlan(steady), { currentAuthPasses: [PASS, PASS], generateAuthPass: neverGenerate });
    for (const node of plan.nodes) {
      expect(node.service.map((step) => step.kind)).toEqual(["run-service-setup", "record-service-setup"]);
      expect(node.steps.steps).toEqual([]);
    }
  });

  it("reloads the node whose files changed, the VIP holder last", () => {
    const changed = requireValidClusterSpec({ ...spec, priority: 200 });
    const plan = planProvisioning(changed, toPlan(steady), { currentAuthPasses: [PASS, PASS], generateAuthPass: neverGenerate });
    expect(plan.rollout.map((step) => [step.nodeName, step.action])).toEqual([
      ["secondary", "reload"],
      ["primary", "reload"],
    ]);
    expect(plan.nodes.map((node) => node.changes.pending.map((change) => change.file.path))).toEqual([
      ["/etc/keepalived/keepalived.conf"],
      ["/etc/keepalived/keepalived.conf"],
    ]);
  });

  it("keeps the password the pair shares, the primary's when they differ", () => {
    const plan = planProvisioning(spec, toPlan(steady), { currentAuthPasses: [PASS, "Other123"], generateAuthPass: neverGenerate });
    expect(plan.spec.authPass).toBe(PASS);
  });
});

describe("planServiceSteps", () => {
  const node = provisionedObservation(spec, 0, true);

  it("sets ip_nonlocal_bind when the file or the kernel's value is not as wanted", () => {
    expect(planServiceSteps(spec, { ...node, nonlocalBind: "0" })).toEqual([{ kind: "set-nonlocal-bind", enabled: true }]);
    const files = node.files.map((file) => (file.path === NONLOCAL_BIND_SYSCTL_PATH ? { path: file.path, exists: false } : file));
    expect(planServiceSteps(spec, { ...node, files })).toEqual([{ kind: "set-nonlocal-bind", enabled: true }]);
  });

  it("removes the sysctl file with nonlocalBind false, and leaves a node without it alone", () => {
    const off = requireValidClusterSpec({ ...spec, nonlocalBind: false });
    expect(planServiceSteps(off, node)[0]).toEqual({ kind: "set-nonlocal-bind", enabled: false });
    const without = node.files.map((file) => (file.path === NONLOCAL_BIND_SYSCTL_PATH ? { path: file.path, exists: false } : file));
    expect(planServiceSteps(off, { ...node, files: without, nonlocalBind: "0" })).toEqual([]);
  });

  it("installs a missing package and then runs the setup again, even when the setup is unchanged", () => {
    expect(planServiceSteps(spec, { ...node, installedPackages: [] }).map((step) => step.kind)).toEqual([
      "install-service-packages",
      "run-service-setup",
      "record-service-setup",
    ]);
  });

  it("runs the setup on a node that never ran it", () => {
    expect(planServiceSteps(spec, { ...node, serviceSetupFingerprint: undefined }).map((step) => step.kind)).toEqual([
      "run-service-setup",
      "record-service-setup",
    ]);
  });
});

describe("planNodePreparation", () => {
  const node = provisionedObservation(spec, 0, true);

  it("installs Keepalived where it is missing, holds its package unless held, installs what the files need", () => {
    const bare = { ...node, facts: { ...node.facts, keepalivedVersionLine: undefined, commands: [] }, keepalivedHeld: false };
    expect(planNodePreparation(spec, bare)).toEqual([
      { kind: "install-keepalived", packageManager: "apt-get" },
      { kind: "hold-keepalived", packageManager: "apt-get" },
      { kind: "install-packages", packages: ["logrotate"], packageManager: "apt-get" },
    ]);
  });

  it("leaves a held, current Keepalived alone", () => {
    expect(planNodePreparation(spec, node)).toEqual([]);
    expect(node.files.find((file) => file.path === APPLIED_FINGERPRINT_PATH)).toBeUndefined();
  });
});
