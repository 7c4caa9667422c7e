/**
 * The local cloud's network, as namespaces on this machine. Nothing of it is in the host's
 * namespace and none of it has a route off the machine:
 *
 *   <prefix>-net   the "internet": a bridge that the operator, the cloud's services and every
 *                  VPC router are plugged into (INTERNET_CIDR, documentation addresses)
 *   <prefix>-op    the operator (Terraform, the CLI, SSH clients, HTTP clients)
 *   <prefix>-svc   the cloud's services: the API endpoint, the package mirror
 *   <prefix>-<vpc-id>   one VPC's router: a port per instance, proxy ARP, NAT for public IPs and
 *                  EIPs, where the HAVIPs are routed (to the instance the cloud binds)
 *   <prefix>-<instance-id>   one CVM's namespace (eth0), booted by the lab's server machinery
 */

/** The internet segment: TEST-NET-2 (RFC 5737), never routed anywhere. */
export const INTERNET_CIDR = "198.51.100.0/24";
export const INTERNET_PREFIX_LENGTH = 24;
/** The cloud API endpoint (every `<service>.tencentcloudapi.com` name resolves here in the operator namespace). */
export const API_ADDRESS = "198.51.100.2";
/** The package mirror the images' apt sources name, and the HTTPS download site for source tarballs. */
export const MIRROR_ADDRESS = "198.51.100.3";
/** The operator's public address: what `sshAllowedCidr` names. */
export const OPERATOR_ADDRESS = "198.51.100.10";
/** VPC routers' own internet addresses come from here (the source of NATed traffic without a public IP). */
export const ROUTER_ADDRESS_POOL = { first: "198.51.100.16", last: "198.51.100.47" } as const;
/** Public IPs and EIPs the cloud hands out. */
export const PUBLIC_ADDRESS_POOL = { first: "198.51.100.64", last: "198.51.100.254" } as const;

/** Interface names are at most 15 characters (IFNAMSIZ - 1). */
const MAX_INTERFACE_NAME = 15;

export interface CloudNetworkLayout {
  readonly prefix: string;
  readonly internetNamespace: string;
  readonly internetBridge: string;
  readonly operatorNamespace: string;
  readonly servicesNamespace: string;
}

export function cloudNetworkLayout(prefix: string): CloudNetworkLayout {
  return {
    prefix,
    internetNamespace: `${prefix}-net`,
    internetBridge: "inet0",
    operatorNamespace: `${prefix}-op`,
    servicesNamespace: `${prefix}-svc`,
  };
}

/** The namespace of a VPC's router. */
export function vpcNamespace(layout: CloudNetworkLayout, vpcId: string): string {
  return `${layout.prefix}-${vpcId}`;
}

/** The namespace a CVM's server runs in. */
export function instanceNamespace(layout: CloudNetworkLayout, instanceId: string): string {
  return `${layout.prefix}-${instanceId}`;
}

/** The router's port for an instance (in the VPC namespace); the instance's end is its eth0. */
export function instancePortName(instanceId: string): string {
  const name = `p${instanceId.replace(/^ins-/, "")}`;
  if (name.length > MAX_INTERFACE_NAME)
    throw new Error(`instance id ${instanceId} makes the port name ${name}, longer than ${MAX_INTERFACE_NAME} characters`);
  return name;
}

/** The internet bridge's port for a VPC router (in the internet namespace); the router's end is `wan0`. */
export function routerUplinkPortName(vpcId: string): string {
  const name = `u${vpcId.replace(/^vpc-/, "")}`;
  if (name.length > MAX_INTERFACE_NAME)
    throw new Error(`VPC id ${vpcId} makes the port name ${name}, longer than ${MAX_INTERFACE_NAME} characters`);
  return name;
}

export const ROUTER_UPLINK_INTERFACE = "wan0";
