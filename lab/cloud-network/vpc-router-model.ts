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

export interface RouterInstance {
  readonly instanceId: string;
  /** The router's port facing this instance. */
  readonly port: string;
  readonly privateIp: string;
  /** The instance's public IP: DNAT in, SNAT out. @default - none: outbound traffic is masqueraded */
  readonly publicIp?: string;
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
}

/** Name of the nftables table the router's rules live in. */
export const ROUTER_TABLE = "havip_vpc";

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

/**
 * The router's nftables table, replaced as a whole in one transaction (created empty first so
 * the delete never fails). NAT only for now; security groups are rules of the forward chain.
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
  const chain = (name: string, head: string, rules: readonly string[]) =>
    [`  chain ${name} {`, `    ${head}`, ...rules.map((rule) => `    ${rule}`), "  }"].join("\n");
  return [
    `table ip ${ROUTER_TABLE} {}`,
    `delete table ip ${ROUTER_TABLE}`,
    `table ip ${ROUTER_TABLE} {`,
    chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;", dnat),
    chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", snat),
    "}",
    "",
  ].join("\n");
}
