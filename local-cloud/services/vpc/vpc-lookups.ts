import type { CloudState, HaVipRecord, SubnetRecord, VpcRecord } from "../../state/cloud-state";
import { isResourceId } from "../../state/resource-ids";
import { ApiError, notFound } from "../../server/api-error";
import { type Ipv4Block, parseIpv4Block } from "../../network/ipv4-block";

/** A VPC-service id parameter: malformed ids are `InvalidParameterValue.Malformed`, unknown ones `ResourceNotFound`. */
export function checkVpcServiceId(prefix: string, name: string, id: string): void {
  if (!isResourceId(prefix, id)) {
    throw new ApiError(
      "InvalidParameterValue.Malformed",
      `The value ${JSON.stringify(id)} of \`${name}\` is not a ${prefix}- id (${prefix}-xxxxxxxx).`,
    );
  }
}

export function findVpc(state: Readonly<CloudState>, vpcId: string, name = "VpcId"): VpcRecord {
  checkVpcServiceId("vpc", name, vpcId);
  const vpc = state.vpcs[vpcId];
  if (!vpc) throw notFound("ResourceNotFound", "VPC", vpcId);
  return vpc;
}

export function findSubnet(state: Readonly<CloudState>, subnetId: string, name = "SubnetId"): SubnetRecord {
  checkVpcServiceId("subnet", name, subnetId);
  const subnet = state.subnets[subnetId];
  if (!subnet) throw notFound("ResourceNotFound", "subnet", subnetId);
  return subnet;
}

export function findHaVip(state: Readonly<CloudState>, havipId: string, name = "HaVipId"): HaVipRecord {
  checkVpcServiceId("havip", name, havipId);
  const havip = state.havips[havipId];
  if (!havip) throw notFound("ResourceNotFound", "HAVIP", havipId);
  return havip;
}

export function subnetBlock(subnet: SubnetRecord): Ipv4Block {
  return parseIpv4Block(subnet.cidrBlock) as Ipv4Block;
}

/** What holds a private address in a subnet: instances and HAVIPs (ENIs are not modelled apart from instances). */
export function addressUsers(
  state: Readonly<CloudState>,
  subnetId: string,
): { address: string; resourceType: "CVM" | "HAVIP"; resourceId: string }[] {
  return [
    ...Object.values(state.instances)
      .filter((instance) => instance.subnetId === subnetId)
      .map((instance) => ({ address: instance.privateIp, resourceType: "CVM" as const, resourceId: instance.instanceId })),
    ...Object.values(state.havips)
      .filter((havip) => havip.subnetId === subnetId)
      .map((havip) => ({ address: havip.vip, resourceType: "HAVIP" as const, resourceId: havip.havipId })),
  ];
}
