import type { HaVipBinding } from "./havip-bindings";

/** What Keepalived on one node says, as the status command reads it over SSH. */
export interface KeepalivedNodeView {
  readonly nodeName: string;
  /** CVM id of the node; without it (and without networkInterfaceId) the cloud binding cannot be matched to it. */
  readonly instanceId?: string;
  /** ENI that carries the VIP, for HAVIPs bound to an ENI rather than a CVM. */
  readonly networkInterfaceId?: string;
  /** Keepalived reports MASTER. */
  readonly isMaster: boolean;
  /** The VIP is on the node's interface. */
  readonly holdsVip: boolean;
  /** Which VIPs are on the interface, when known; overrides holdsVip per VIP. */
  readonly heldVips?: readonly string[];
}

export type DisagreementKind =
  /** No node holds the VIP. */
  | "vip-held-by-no-node"
  /** Two nodes hold the VIP or both are MASTER. */
  | "split-brain"
  /** The cloud has no HAVIP with the address. */
  | "havip-not-found"
  /** The HAVIP is bound to no instance or ENI while a node holds the VIP. */
  | "havip-unbound"
  /** The HAVIP is bound to an instance or ENI other than the MASTER's. */
  | "bound-to-other-node"
  /** An EIP is expected on the HAVIP but none is attached. */
  | "eip-not-attached"
  /** A different EIP is attached than expected. */
  | "eip-mismatch";

export interface Disagreement {
  readonly kind: DisagreementKind;
  readonly vip: string;
  readonly havipId?: string;
  /** One line for people, e.g. `HAVIP 172.16.16.12 (havip-abc) is bound to secondary (ins-2) but Keepalived is MASTER on primary (ins-1)`. */
  readonly message: string;
}

export interface CloudExpectations {
  /**
   * The VIPs the cluster serves: a VIP without a HAVIP is reported, a HAVIP of another address is ignored.
   * @default - every address in `bindings`
   */
  readonly vips?: readonly string[];
  /** The EIP that should be attached to each VIP's HAVIP. @default - EIPs are not checked */
  readonly eipByVip?: Readonly<Record<string, string>>;
}

/**
 * Compares what Keepalived says with where the cloud binds each HAVIP. An empty list means
 * they agree. Pure: the caller gathers `keepalivedView` over SSH and `bindings` from DescribeHaVips.
 */
export function compareKeepalivedWithCloud(
  keepalivedView: readonly KeepalivedNodeView[],
  bindings: readonly HaVipBinding[],
  expectations: CloudExpectations = {},
): Disagreement[] {
  const vips = expectations.vips ?? [...new Set(bindings.map((binding) => binding.address))];
  const disagreements: Disagreement[] = [];
  for (const vip of vips) {
    const havips = bindings.filter((binding) => binding.address === vip);
    if (havips.length === 0) {
      disagreements.push({ kind: "havip-not-found", vip, message: `VIP ${vip} has no HAVIP in the cloud` });
      continue;
    }
    for (const binding of havips) {
      disagreements.push(...compareOneHaVip(keepalivedView, binding, expectations.eipByVip?.[vip]));
    }
  }
  return disagreements;
}

function compareOneHaVip(nodes: readonly KeepalivedNodeView[], binding: HaVipBinding, expectedEip: string | undefined): Disagreement[] {
  const vip = binding.address;
  const label = `HAVIP ${vip} (${binding.havipId})`;
  const found: Disagreement[] = [];
  const report = (kind: DisagreementKind, message: string): void => {
    found.push({ kind, vip, havipId: binding.havipId, message });
  };

  const masters = nodes.filter((node) => node.isMaster);
  const holders = nodes.filter((node) => holds(node, vip));
  if (holders.length === 0) {
    report(
      "vip-held-by-no-node",
      masters.length === 0
        ? `${label} is held by no node: Keepalived is MASTER on none`
        : `${label} is held by no node: Keepalived is MASTER on ${describeNodes(masters)} but the address is not on its interface`,
    );
  } else if (holders.length > 1) {
    report("split-brain", `${label} is on ${describeNodes(holders)} at once (split brain)`);
  } else if (masters.length > 1) {
    report("split-brain", `${label}: Keepalived is MASTER on ${describeNodes(masters)} at once (split brain)`);
  }

  const owner = holders.length === 1 ? holders[0] : masters.length === 1 ? masters[0] : undefined;
  const boundTo = binding.boundInstanceId ?? binding.boundNetworkInterfaceId;
  if (owner !== undefined) {
    if (boundTo === undefined) {
      report("havip-unbound", `${label} is bound to no instance or ENI but Keepalived is MASTER on ${describeNode(owner)}`);
    } else if (!isBoundTo(binding, owner)) {
      const boundNode = nodes.find((node) => isBoundTo(binding, node));
      const ownerIdentified = owner.instanceId !== undefined || owner.networkInterfaceId !== undefined;
      if (ownerIdentified || boundNode !== undefined) {
        const where = boundNode === undefined ? boundTo : `${boundNode.nodeName} (${boundTo})`;
        report("bound-to-other-node", `${label} is bound to ${where} but Keepalived is MASTER on ${describeNode(owner)}`);
      }
    }
  }

  if (expectedEip !== undefined) {
    if (binding.addressIp === undefined) {
      report("eip-not-attached", `${label} should have EIP ${expectedEip} attached but has none`);
    } else if (binding.addressIp !== expectedEip) {
      report("eip-mismatch", `${label} has EIP ${binding.addressIp} attached, expected ${expectedEip}`);
    }
  }
  return found;
}

/** True when the cloud binds the HAVIP to this node's CVM or ENI. */
export function isBoundTo(binding: HaVipBinding, node: Pick<KeepalivedNodeView, "instanceId" | "networkInterfaceId">): boolean {
  return (
    (node.instanceId !== undefined && node.instanceId === binding.boundInstanceId) ||
    (node.networkInterfaceId !== undefined && node.networkInterfaceId === binding.boundNetworkInterfaceId)
  );
}

function holds(node: KeepalivedNodeView, vip: string): boolean {
  return node.heldVips === undefined ? node.holdsVip : node.heldVips.includes(vip);
}

function describeNode(node: KeepalivedNodeView): string {
  const id = node.instanceId ?? node.networkInterfaceId;
  return id === undefined ? node.nodeName : `${node.nodeName} (${id})`;
}

function describeNodes(nodes: readonly KeepalivedNodeView[]): string {
  return nodes.map(describeNode).join(" and ");
}
