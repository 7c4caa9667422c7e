import { describe, expect, it } from "vitest";
import type { ManagedFile } from "../../../lib/core/keepalived";
import {
  changesKeepalivedInputs,
  keepalivedInputsFingerprint,
  planNodeChanges,
  sha256Hex,
  type RemoteFileState,
} from "../../../lib/core/plan/plan-node-changes";
import { planRollout, type NodeRolloutInput } from "../../../lib/core/plan/plan-rollout";

const conf: ManagedFile = {
  path: "/etc/keepalived/keepalived.conf",
  mode: 0o600,
  owner: "root",
  group: "root",
  content: "vrrp\n",
  secret: true,
};
const script: ManagedFile = { path: "/etc/keepalived/havip-notify.sh", mode: 0o755, owner: "root", group: "root", content: "#!/bin/sh\n" };

const sameAs = (file: ManagedFile, changes: Partial<RemoteFileState> = {}): RemoteFileState => ({
  path: file.path,
  exists: true,
  sha256: sha256Hex(file.content),
  mode: file.mode,
  owner: file.owner,
  group: file.group,
  ...changes,
});

describe("planNodeChanges", () => {
  it("creates a file the node does not have", () => {
    const plan = planNodeChanges("primary", [conf], [{ path: conf.path, exists: false }]);
    expect(plan.changes.map((c) => c.kind)).toEqual(["create"]);
    expect(plan.pending).toHaveLength(1);
  });

  it("treats a path missing from the node's answer as absent", () => {
    const plan = planNodeChanges("primary", [conf], []);
    expect(plan.changes[0].kind).toBe("create");
    expect(plan.changes[0].before).toEqual({ path: conf.path, exists: false });
  });

  it("updates a file whose content hash differs", () => {
    const plan = planNodeChanges("primary", [conf], [sameAs(conf, { sha256: sha256Hex("old\n") })]);
    expect(plan.changes[0].kind).toBe("update");
  });

  it("fixes only metadata when content matches but mode, owner or group differ", () => {
    for (const drift of [{ mode: 0o644 }, { owner: "nobody" }, { group: "adm" }]) {
      const plan = planNodeChanges("primary", [conf], [sameAs(conf, drift)]);
      expect(plan.changes[0].kind, JSON.stringify(drift)).toBe("metadata");
    }
  });

  it("leaves identical files alone and lists only real changes as pending", () => {
    const plan = planNodeChanges("secondary", [conf, script], [sameAs(conf), sameAs(script, { sha256: "0".repeat(64) })]);
    expect(plan.nodeName).toBe("secondary");
    expect(plan.changes.map((c) => [c.file.path, c.kind])).toEqual([
      [conf.path, "unchanged"],
      [script.path, "update"],
    ]);
    expect(plan.pending.map((c) => c.file.path)).toEqual([script.path]);
  });

  it("hashes content as UTF-8 the way sha256sum does", () => {
    // printf 'vrrp\n' | sha256sum
    expect(sha256Hex("vrrp\n")).toBe("f1a180798b0cb6d400d2bbb04aef2e5867447802400cc4e00d8de2f6606bfea5");
  });
});

describe("planRollout", () => {
  const node = (nodeName: string, fields: Partial<NodeRolloutInput> = {}): NodeRolloutInput => ({
    nodeName,
    keepalivedRunning: true,
    holdsVip: false,
    keepalivedInputsChanged: false,
    appliedMatches: true,
    ...fields,
  });

  it("changes the VIP holder last", () => {
    const steps = planRollout([
      node("primary", { holdsVip: true, keepalivedInputsChanged: true }),
      node("secondary", { keepalivedInputsChanged: true }),
    ]);
    expect(steps.map((s) => s.nodeName)).toEqual(["secondary", "primary"]);
  });

  it("keeps input order among nodes that do not hold the VIP", () => {
    expect(planRollout([node("primary"), node("secondary")]).map((s) => s.nodeName)).toEqual(["primary", "secondary"]);
    expect(planRollout([node("secondary"), node("primary")]).map((s) => s.nodeName)).toEqual(["secondary", "primary"]);
  });

  it("starts a node whose Keepalived is not running, whether or not files changed", () => {
    const steps = planRollout([
      node("primary", { keepalivedRunning: false }),
      node("secondary", { keepalivedRunning: false, keepalivedInputsChanged: true }),
    ]);
    expect(steps.map((s) => s.action)).toEqual(["start", "start"]);
    expect(steps[0].reason).toContain("not running");
  });

  it("reloads a running node whose files changed and leaves an up-to-date one alone", () => {
    const steps = planRollout([node("primary", { keepalivedInputsChanged: true }), node("secondary", { holdsVip: true })]);
    expect(steps).toEqual([
      { nodeName: "primary", action: "reload", reason: "its files changed" },
      { nodeName: "secondary", action: "none", reason: "nothing changed" },
    ]);
  });

  it("reloads a running node whose files are in place but were never loaded (an interrupted run)", () => {
    const [step] = planRollout([node("primary", { appliedMatches: false })]);
    expect(step.action).toBe("reload");
    expect(step.reason).toContain("never loaded");
  });
});

describe("changesKeepalivedInputs and keepalivedInputsFingerprint", () => {
  const file = (path: string, content: string): ManagedFile => ({ path, mode: 0o644, owner: "root", group: "root", content });
  const conf = file("/etc/keepalived/keepalived.conf", "vrrp\n");
  const rule = file("/etc/logrotate.d/havip-keepalived", "rotate\n");

  it("counts content changes of the files Keepalived reads, not the logrotate rule or a mode change", () => {
    const ruleOnly = planNodeChanges(
      "n",
      [conf, rule],
      [{ path: conf.path, exists: true, sha256: sha256Hex(conf.content), mode: 0o644, owner: "root", group: "root" }],
    );
    expect(ruleOnly.pending.map((c) => c.file.path)).toEqual([rule.path]);
    expect(changesKeepalivedInputs(ruleOnly)).toBe(false);
    const modeOnly = planNodeChanges(
      "n",
      [conf],
      [{ path: conf.path, exists: true, sha256: sha256Hex(conf.content), mode: 0o600, owner: "root", group: "root" }],
    );
    expect(modeOnly.pending[0].kind).toBe("metadata");
    expect(changesKeepalivedInputs(modeOnly)).toBe(false);
    expect(changesKeepalivedInputs(planNodeChanges("n", [conf], []))).toBe(true);
  });

  it("fingerprints only what Keepalived reads, independent of order", () => {
    const a = keepalivedInputsFingerprint([conf, rule]);
    expect(keepalivedInputsFingerprint([rule, conf])).toBe(a);
    expect(keepalivedInputsFingerprint([conf, { ...rule, content: "other\n" }])).toBe(a);
    expect(keepalivedInputsFingerprint([{ ...conf, content: "vrrp 2\n" }, rule])).not.toBe(a);
  });
});
