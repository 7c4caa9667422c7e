import { describe, expect, it } from "vitest";
import { HaVipInstanceAttachment } from "../../../.gen/providers/tencentcloud/ha-vip-instance-attachment";
import { HaVip } from "../../../.gen/providers/tencentcloud/ha-vip";
import { Instance } from "../../../.gen/providers/tencentcloud/instance";
import { guideProps, synthCluster, type SynthResult } from "../../fixtures/synth-cluster";
import { ARGUMENTS_UNREAD_ON_IMPORT } from "../../../lib/construct/private/adoption";

interface LocalExec {
  interpreter: string[];
  command: string;
  environment: Record<string, string>;
}

const byName = (result: SynthResult, type: string, part: string) => {
  const entry = Object.entries(result.resources(type)).find(([logicalId]) => logicalId.includes(part));
  if (!entry) throw new Error(`no ${type} named like ${part}`);
  return { address: `${type}.${entry[0]}`, block: entry[1] };
};
const gate = (result: SynthResult, node: "primary" | "secondary") => byName(result, "terraform_data", `${node}-gate`);
const instance = (result: SynthResult, node: "primary" | "secondary") => byName(result, Instance.tfResourceType, `_${node}_`);
/** A block's depends_on besides the deploy preflight, which every resource of the cluster waits for. */
const ordering = (block: Record<string, unknown>) =>
  ((block.depends_on as string[] | undefined) ?? []).filter((address) => !/^terraform_data\.\w*preflight/.test(address));
const localExecOf = (block: Record<string, unknown>) => (block.provisioner as { "local-exec": LocalExec }[])[0]["local-exec"];
const argvOf = (block: Record<string, unknown>) => [...localExecOf(block).interpreter, localExecOf(block).command];

/** Every resource address a block refers to: depends_on, expressions and replace_triggered_by, as Terraform links them. */
function referencesOf(block: Record<string, unknown>): string[] {
  const text = JSON.stringify(block);
  return [...text.matchAll(/\b((?:data\.)?(?:tencentcloud_\w+|terraform_data)\.[\w-]+)/g)].map((match) => match[1]);
}

/** A cycle in the synthesized graph, as Terraform would find it before planning. */
function findCycle(result: SynthResult): string[] | undefined {
  const parsed = JSON.parse(result.json) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const edges = new Map<string, string[]>();
  for (const [type, blocks] of Object.entries(parsed.resource ?? {})) {
    for (const [name, block] of Object.entries(blocks)) edges.set(`${type}.${name}`, referencesOf(block));
  }
  const state = new Map<string, "visiting" | "done">();
  const visit = (node: string, path: string[]): string[] | undefined => {
    if (state.get(node) === "visiting") return [...path, node];
    if (state.get(node) === "done") return undefined;
    state.set(node, "visiting");
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    state.set(node, "done");
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("a newer image published by Tencent", () => {
  it("leaves running nodes on their image: a looked-up image_id is ignored after creation", () => {
    const result = synthCluster();
    for (const node of ["primary", "secondary"] as const) {
      expect(instance(result, node).block.image_id).toMatch(/data\.tencentcloud_images\..+\.images\[0\]\.image_id/);
      expect(instance(result, node).block.lifecycle).toEqual({ ignore_changes: ["image_id", ...ARGUMENTS_UNREAD_ON_IMPORT] });
    }
  });

  it("applies an explicit nodes.imageId, so changing it is a deliberate, rolling change", () => {
    const result = synthCluster({ nodes: { imageId: "img-0123abcd" } });
    expect(result.data("tencentcloud_images")).toEqual({});
    for (const node of ["primary", "secondary"] as const) {
      expect(instance(result, node).block).toMatchObject({ image_id: "img-0123abcd" });
      expect(instance(result, node).block.lifecycle).toEqual({ ignore_changes: [...ARGUMENTS_UNREAD_ON_IMPORT] });
    }
  });
});

describe("the drift lock", () => {
  it("ignores the instance_id the provider reads back (HaVipAssociationSet[0], maybe the other node's)", () => {
    const locks = Object.values(synthCluster().resources(HaVipInstanceAttachment.tfResourceType));
    expect(locks).toHaveLength(2);
    for (const lock of locks) expect((lock.lifecycle as { ignore_changes: string[] }).ignore_changes).toEqual(["instance_id"]);
  });

  it("is replaced when its own node is replaced, so a new CVM is attached again", () => {
    const result = synthCluster();
    for (const node of ["primary", "secondary"] as const) {
      const lock = byName(result, HaVipInstanceAttachment.tfResourceType, `${node}-lock`).block;
      const nodeAddress = instance(result, node).address;
      expect(lock.instance_id).toBe(`\${${nodeAddress}.id}`);
      expect((lock.lifecycle as { replace_triggered_by: string[] }).replace_triggered_by).toEqual([`${nodeAddress}.id`]);
    }
  });

  it("keeps check_associate on every HAVIP", () => {
    const result = synthCluster({ havips: [{}, { address: "172.16.16.13" }] });
    expect(Object.values(result.resources(HaVip.tfResourceType)).map((havip) => havip.check_associate)).toEqual([true, true]);
  });
});

describe("an auto-assigned HAVIP", () => {
  it("is created after the primary, whose fixed IP it could otherwise take", () => {
    const result = synthCluster({ havips: [{}] });
    expect(ordering(result.only(HaVip.tfResourceType))).toEqual([instance(result, "primary").address]);
  });

  it("fails the apply before the secondary is created if Tencent gave it the secondary's IP", () => {
    const result = synthCluster({ havips: [{}] });
    const [check] = (result.only(HaVip.tfResourceType).lifecycle as { postcondition: { condition: string; error_message: string }[] })
      .postcondition;
    expect(check.condition).toBe('${self.vip != "172.16.16.6"}');
    expect(check.error_message).toContain("havips[].address");
  });

  it("is not ordered or checked when the address is fixed", () => {
    const havip = synthCluster({ havips: [{ address: "172.16.16.12" }] }).only(HaVip.tfResourceType);
    expect(ordering(havip)).toEqual([]);
    expect(havip.lifecycle).toBeUndefined();
  });
});

describe("disruptive changes roll one node at a time", () => {
  it("makes the secondary instance wait for the primary's gate", () => {
    const result = synthCluster();
    expect(ordering(instance(result, "secondary").block)).toEqual([gate(result, "primary").address]);
    expect(ordering(instance(result, "primary").block)).toEqual([]);
  });

  it("gives each node a gate that provisions only that node and waits for it to be healthy", () => {
    const result = synthCluster();
    expect(argvOf(gate(result, "primary").block).slice(2)).toEqual(["provision", "--node", "primary", "--peer-via-node"]);
    expect(argvOf(gate(result, "secondary").block).slice(2)).toEqual(["provision", "--node", "secondary"]);
    // The secondary's gate provisions with the whole pair's spec: the same local the cluster's spec output reads.
    expect(localExecOf(gate(result, "secondary").block).environment.HAVIP_CLUSTER_SPEC).toBe(result.outputs()["web-spec"].value);
  });

  it("re-runs a gate when its node is reset (image), resized (type, disk) or replaced (id)", () => {
    const result = synthCluster();
    for (const node of ["primary", "secondary"] as const) {
      const triggers = gate(result, node).block.triggers_replace as Record<string, string>;
      const address = instance(result, node).address;
      expect(triggers).toMatchObject({
        instance_id: `\${${address}.id}`,
        image_id: `\${${address}.image_id}`,
        instance_type: `\${${address}.instance_type}`,
        system_disk_type: `\${${address}.system_disk_type}`,
        system_disk_size: `\${${address}.system_disk_size}`,
      });
    }
  });

  it("re-runs the secondary's gate after the primary's, so the pair agrees on the VRRP password again", () => {
    const result = synthCluster();
    const primaryGate = gate(result, "primary").address;
    expect((gate(result, "secondary").block.triggers_replace as Record<string, string>).previous_gate).toBe(`\${${primaryGate}.id}`);
    expect(gate(result, "secondary").block.depends_on).toContain(primaryGate);
  });

  it("lets the primary's gate refer to nothing of the secondary, which waits for it", () => {
    const result = synthCluster();
    const secondary = instance(result, "secondary").address;
    const primaryGate = gate(result, "primary").block;
    // The gate's spec is a local (the JSON template): what it refers to is in that local's text.
    const specLocal = /^\$\{local\.([\w-]+)\}$/.exec(String(localExecOf(primaryGate).environment.HAVIP_CLUSTER_SPEC))?.[1] as string;
    const primaryGateText = JSON.stringify(primaryGate) + String(result.locals()[specLocal]);
    expect(primaryGateText).not.toContain(secondary.split(".")[1]);
    expect(primaryGateText).not.toContain("secondary-lock");
    expect(String(result.locals()[specLocal])).toContain('"sshHost":"172.16.16.6"');
  });

  it("waits for the node's own drift lock before provisioning it", () => {
    const result = synthCluster();
    expect(gate(result, "primary").block.depends_on).toEqual(expect.arrayContaining([expect.stringContaining("havip-1-primary-lock")]));
    expect(gate(result, "secondary").block.depends_on).toEqual(expect.arrayContaining([expect.stringContaining("havip-1-secondary-lock")]));
  });

  it("reads the peer's password in the primary's gate when the secondary's SSH address is its private IP", () => {
    const result = synthCluster({ publicSsh: false, ssh: { ...guideProps.ssh, jumpHost: { host: "203.0.113.9" } } });
    expect(argvOf(gate(result, "primary").block).slice(2)).toEqual(["provision", "--node", "primary"]);
  });

  it.each([
    ["auto-assigned HAVIPs", { havips: [{}, {}] }],
    ["fixed HAVIPs", {}],
    ["no drift lock and no EIP", { driftLock: false, eip: false as const }],
    ["no public SSH", { publicSsh: false, ssh: { ...guideProps.ssh, jumpHost: { host: "203.0.113.9" } } }],
  ])("has no dependency cycle with %s", (_, props) => {
    expect(findCycle(synthCluster(props))).toBeUndefined();
  });

  it("has no gates, and no ordering between the nodes, with provisionOnDeploy: false", () => {
    const result = synthCluster({ provisionOnDeploy: false });
    expect(result.resources("terraform_data")).toEqual({});
    expect(instance(result, "secondary").block.depends_on).toBeUndefined();
  });
});
