/**
 * What one VPC's router should look like, and the routes and nftables rules that make it so.
 * Pure: the router is reconciled from this model as a whole, so a restarted cloud (or a change
 * made twice) ends in the same router.
 *
 * The VPC is routed, not bridged, as Tencent's is: every instance hangs on a port of its own,
 * the router answers ARP for everything (proxy ARP), and a packet reaches an address only where
 * the router sends it. An HAVIP therefore reaches the instance the cloud binds it to, whatever
 * the instances themselves claim.
 */

/** One security group rule as the cloud states it: the first rule that matches a packet decides. */
export interface FirewallRule {
  readonly action: "ACCEPT" | "DROP";
  /** `TCP`, `UDP`, `ICMP`, `ICMPv6`, `GRE` or `ALL`. */
  readonly protocol: string;
  /** `ALL`, a port (`22`), ports (`80,443`) or a range (`8000-8010`). */
  readonly port: string;
  /** The peers: IPv4 CIDR blocks (`0.0.0.0/0` for any). */
  readonly cidrBlocks: readonly string[];
}

export interface RouterInstance {
  readonly instanceId: string;
  /** The router's port facing this instance. */
  readonly port: string;
  readonly privateIp: string;
  /** The instance's public IP: DNAT in, SNAT out. @default - none: outbound traffic is masqueraded */
  readonly publicIp?: string;
  /**
   * The security group rules in force for the instance, enforced on its port (stateful: replies
   * pass). A packet no rule accepts is dropped. @default - no filtering (a port the cloud has not ruled on yet)
   */
  readonly firewall?: { readonly ingress: readonly FirewallRule[]; readonly egress: readonly FirewallRule[] };
}

export interface VpcRouterModel {
  readonly vpcId: string;
  /** The router's own address on the internet segment. */
  readonly uplinkAddress: string;
  readonly uplinkInterface: string;
  /** Each subnet's gateway address (the router answers for it). */
  readonly gateways: readonly string[];
  readonly instances: readonly RouterInstance[];
  /** Addresses that are not an instance's own, routed to the instance the cloud binds them to (HAVIPs). */
  readonly boundAddresses: readonly { readonly address: string; readonly instanceId: string }[];
  /** Public addresses translated to a private one (an EIP on an HAVIP). */
  readonly translations: readonly { readonly publicIp: string; readonly privateIp: string }[];
  /**
   * Pairs of instances (by id) that cannot reach each other, in either direction, while each still
   * reaches everything else: the router, the internet, the other instances. A pair naming an
   * instance the model does not have cuts nothing. @default - no partition
   */
  readonly partitions?: readonly (readonly [string, string])[];
}

/** Name of the nftables table the router's rules live in. */
export const ROUTER_TABLE = "havip_vpc";

/**
 * Priority of the prerouting chains that decide by a packet's route (partitions, link
 * impairments): after DNAT has rewritten the destination, before the routing decision.
 */
export const AFTER_DNAT = "dstnat + 10";

/** `ip route` destinations (all /32) and the port each goes out of. */
export function routerRoutes(model: VpcRouterModel): { readonly destination: string; readonly port: string }[] {
  const portOf = new Map(model.instances.map((instance) => [instance.instanceId, instance.port]));
  const routes = model.instances.map((instance) => ({ destination: `${instance.privateIp}/32`, port: instance.port }));
  for (const bound of model.boundAddresses) {
    const port = portOf.get(bound.instanceId);
    if (port !== undefined) routes.push({ destination: `${bound.address}/32`, port });
  }
  return routes;
}

/** Addresses the router's uplink answers for: its own, every public IP and every translated EIP. */
export function uplinkAddresses(model: VpcRouterModel): string[] {
  return [
    model.uplinkAddress,
    ...model.instances.flatMap((instance) => (instance.publicIp ? [instance.publicIp] : [])),
    ...model.translations.map((translation) => translation.publicIp),
  ];
}

/** Why a rule cannot be enforced as written; undefined when it can. */
export function firewallRuleProblem(rule: FirewallRule): string | undefined {
  const protocol = rule.protocol.toUpperCase();
  if (!["TCP", "UDP", "ICMP", "ICMPV6", "GRE", "ALL"].includes(protocol))
    return `protocol ${rule.protocol} is not TCP, UDP, ICMP, ICMPv6, GRE or ALL`;
  if (rule.port.toUpperCase() !== "ALL" && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(rule.port))
    return `port ${rule.port} is not ALL, a port, a list or a range`;
  if (rule.port.toUpperCase() !== "ALL" && protocol !== "TCP" && protocol !== "UDP")
    return `port ${rule.port} needs TCP or UDP, not ${rule.protocol}`;
  return undefined;
}

/** One rule as an nftables statement; `peer` is `saddr` (ingress) or `daddr` (egress). Undefined for IPv6-only rules (the lab has no IPv6). */
export function renderFirewallRule(rule: FirewallRule, peer: "saddr" | "daddr"): string | undefined {
  const problem = firewallRuleProblem(rule);
  if (problem) throw new Error(`security group rule ${JSON.stringify(rule)}: ${problem}`);
  const protocol = rule.protocol.toUpperCase();
  if (protocol === "ICMPV6") return undefined;
  const blocks = rule.cidrBlocks.filter((block) => block !== "0.0.0.0/0");
  const anyPeer = blocks.length < rule.cidrBlocks.length || blocks.length === 0;
  const match = [
    ...(anyPeer ? [] : [`ip ${peer} ${blocks.length === 1 ? blocks[0] : `{ ${blocks.join(", ")} }`}`]),
    ...(protocol === "ALL" ? [] : protocol === "TCP" || protocol === "UDP" ? [] : [`ip protocol ${protocol.toLowerCase()}`]),
    ...(protocol === "TCP" || protocol === "UDP"
      ? [
          rule.port.toUpperCase() === "ALL"
            ? `meta l4proto ${protocol.toLowerCase()}`
            : `${protocol.toLowerCase()} dport { ${rule.port.split(",").join(", ")} }`,
        ]
      : []),
  ];
  return [...match, rule.action === "ACCEPT" ? "accept" : "drop"].join(" ");
}

/**
 * The partition rules: a packet that arrives on one instance's port and is routed to the other's
 * port is dropped. Matched on the route (`fib daddr oif`) before it is taken, not on the output
 * port in the forward hook, so that it covers whatever the router sends to that port (the
 * instance's own address, an HAVIP bound to it, a public IP translated to it: the chain runs after
 * DNAT) and still holds when a link impairment diverts the pair's traffic through its TUN device.
 * It runs before the forward chains, whose first rule lets established connections pass: open
 * connections are cut too.
 */
function partitionRules(model: VpcRouterModel): string[] {
  const portOf = new Map(model.instances.map((instance) => [instance.instanceId, instance.port]));
  return (model.partitions ?? []).flatMap(([first, second]) => {
    const ports = [portOf.get(first), portOf.get(second)];
    if (ports[0] === undefined || ports[1] === undefined || ports[0] === ports[1]) return [];
    return [
      `iifname ${JSON.stringify(ports[0])} fib daddr oif ${JSON.stringify(ports[1])} drop`,
      `iifname ${JSON.stringify(ports[1])} fib daddr oif ${JSON.stringify(ports[0])} drop`,
    ];
  });
}

/**
 * The router's nftables table, replaced as a whole in one transaction (created empty first so
 * the delete never fails): NAT for public IPs and EIPs, and each instance's security group rules
 * on its port. Egress and ingress are two base chains, so a packet between two instances must be
 * let out by the sender's rules and in by the receiver's. Replies of an accepted TCP, UDP or ICMP
 * connection pass; other protocols (VRRP, GRE) are judged packet by packet, so a rule removed
 * stops them at once instead of letting a flow conntrack keeps alive forever go on.
 */
export function renderRouterRuleset(model: VpcRouterModel): string {
  const uplink = JSON.stringify(model.uplinkInterface);
  const dnat = [
    ...model.instances.flatMap((instance) => (instance.publicIp ? [`ip daddr ${instance.publicIp} dnat to ${instance.privateIp}`] : [])),
    ...model.translations.map((translation) => `ip daddr ${translation.publicIp} dnat to ${translation.privateIp}`),
  ];
  const snat = [
    ...model.instances.flatMap((instance) =>
      instance.publicIp ? [`oifname ${uplink} ip saddr ${instance.privateIp} snat to ${instance.publicIp}`] : [],
    ),
    `oifname ${uplink} masquerade`,
  ];
  const guarded = model.instances.filter((instance) => instance.firewall !== undefined);
  const dispatch = (direction: "ingress" | "egress") => [
    "meta l4proto { tcp, udp, icmp } ct state established,related accept",
    ...guarded.map(
      (instance) =>
        `${direction === "ingress" ? "oifname" : "iifname"} ${JSON.stringify(instance.port)} jump ${direction}_${instance.port}`,
    ),
  ];
  const chain = (name: string, head: string | undefined, rules: readonly string[]) =>
    [`  chain ${name} {`, ...(head ? [`    ${head}`] : []), ...rules.map((rule) => `    ${rule}`), "  }"].join("\n");
  const perInstance = guarded.flatMap((instance) =>
    (["ingress", "egress"] as const).map((direction) =>
      chain(`${direction}_${instance.port}`, undefined, [
        ...(instance.firewall?.[direction] ?? []).flatMap(
          (rule) => renderFirewallRule(rule, direction === "ingress" ? "saddr" : "daddr") ?? [],
        ),
        "drop",
      ]),
    ),
  );
  const partitions = partitionRules(model);
  return [
    `table ip ${ROUTER_TABLE} {}`,
    `delete table ip ${ROUTER_TABLE}`,
    `table ip ${ROUTER_TABLE} {`,
    chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;", dnat),
    chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", snat),
    ...(partitions.length > 0
      ? [chain("partitions", `type filter hook prerouting priority ${AFTER_DNAT}; policy accept;`, partitions)]
      : []),
    ...perInstance,
    chain("egress", "type filter hook forward priority filter; policy accept;", dispatch("egress")),
    chain("ingress", "type filter hook forward priority filter + 1; policy accept;", dispatch("ingress")),
    "}",
    "",
  ].join("\n");
}
