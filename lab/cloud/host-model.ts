import type { MachineSecurityRules, PrivateAddress } from "../../local-cloud";
import { ROUTER_ADDRESS_POOL, instancePortName, type VpcRouterModel } from "../cloud-network";

/** What the lab host has built for the local cloud, kept in a file so a restarted endpoint finds it again. */
export interface HostModel {
  readonly vpcs: Record<string, { readonly vpcId: string; readonly cidrBlock: string; readonly uplinkAddress: string }>;
  readonly subnets: Record<
    string,
    { readonly subnetId: string; readonly vpcId: string; readonly cidrBlock: string; readonly gateway: string }
  >;
  readonly instances: Record<
    string,
    {
      readonly instanceId: string;
      readonly vpcId: string;
      readonly subnetId: string;
      readonly privateIp: string;
      readonly prefixLength: number;
      readonly gateway: string;
      readonly hostName: string;
      firewall?: MachineSecurityRules;
    }
  >;
  /** Public IP -> the private address it is translated to (a CVM's own address, or an HAVIP's). */
  readonly publicAddresses: Record<string, PrivateAddress>;
  /** `subnetId/address` -> the instance an HAVIP's traffic goes to. */
  readonly boundAddresses: Record<string, PrivateAddress & { readonly instanceId: string }>;
}

/**
 * Faults the lab injects into the cloud's network (not the cloud's state: the API knows nothing of
 * them), kept beside the host's model so every reconcile of a router keeps them, whichever process runs it.
 */
export interface LabFaults {
  /** Pairs of instances cut from each other (both still reach the router and everything else). */
  readonly partitions: readonly (readonly [string, string])[];
}

export const NO_FAULTS: LabFaults = { partitions: [] };

export function emptyHostModel(): HostModel {
  return { vpcs: {}, subnets: {}, instances: {}, publicAddresses: {}, boundAddresses: {} };
}

const toNumber = (address: string) => address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
const toAddress = (value: number) => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");

/** The lowest router address of the pool no VPC uses. */
export function nextRouterAddress(model: HostModel): string {
  const used = new Set(Object.values(model.vpcs).map((vpc) => vpc.uplinkAddress));
  for (let value = toNumber(ROUTER_ADDRESS_POOL.first); value <= toNumber(ROUTER_ADDRESS_POOL.last); value++) {
    if (!used.has(toAddress(value))) return toAddress(value);
  }
  throw new Error(`no router address left in ${ROUTER_ADDRESS_POOL.first}-${ROUTER_ADDRESS_POOL.last}: too many VPCs for the lab`);
}

/**
 * The router of one VPC as the model has it: each instance on its port (with its public IP, when
 * a public address is translated to its own private IP, and its security rules), every other
 * public address translated, every HAVIP routed to its bound instance. Undefined for an unknown VPC.
 */
export function routerModelOf(
  model: HostModel,
  vpcId: string,
  uplinkInterface: string,
  faults: LabFaults = NO_FAULTS,
): VpcRouterModel | undefined {
  const vpc = model.vpcs[vpcId];
  if (!vpc) return undefined;
  const instances = Object.values(model.instances).filter((instance) => instance.vpcId === vpcId);
  const publicOf = new Map<string, string>();
  const translations: { publicIp: string; privateIp: string }[] = [];
  for (const [publicIp, target] of Object.entries(model.publicAddresses)) {
    if (target.vpcId !== vpcId) continue;
    const owner = instances.find((instance) => instance.subnetId === target.subnetId && instance.privateIp === target.address);
    if (owner) publicOf.set(owner.instanceId, publicIp);
    else translations.push({ publicIp, privateIp: target.address });
  }
  return {
    vpcId,
    uplinkAddress: vpc.uplinkAddress,
    uplinkInterface,
    gateways: Object.values(model.subnets)
      .filter((subnet) => subnet.vpcId === vpcId)
      .map((subnet) => subnet.gateway),
    instances: instances.map((instance) => ({
      instanceId: instance.instanceId,
      port: instancePortName(instance.instanceId),
      privateIp: instance.privateIp,
      ...(publicOf.has(instance.instanceId) ? { publicIp: publicOf.get(instance.instanceId) } : {}),
      ...(instance.firewall
        ? {
            firewall: {
              ingress: instance.firewall.ingress.map((rule) => ({ ...rule, action: rule.action })),
              egress: instance.firewall.egress.map((rule) => ({ ...rule, action: rule.action })),
            },
          }
        : {}),
    })),
    boundAddresses: Object.values(model.boundAddresses)
      .filter((bound) => bound.vpcId === vpcId && model.instances[bound.instanceId])
      .map((bound) => ({ address: bound.address, instanceId: bound.instanceId })),
    translations,
    partitions: faults.partitions.filter(([a, b]) => model.instances[a]?.vpcId === vpcId && model.instances[b]?.vpcId === vpcId),
  };
}
