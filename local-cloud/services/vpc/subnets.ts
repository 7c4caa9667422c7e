import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import { dropTags, readVpcTags, setTags, tagList, tagsOf } from "../../api/resource-tags";
import { addressText, assignableCount, blockWithin, type Ipv4Block, parseIpv4Block } from "../../network/ipv4-block";
import { ApiError, invalidParameterValue } from "../../server/api-error";
import { isoNow, vpcTime } from "../../state/api-time";
import type { CloudState, SubnetRecord } from "../../state/cloud-state";
import { newResourceId } from "../../state/resource-ids";
import { addressUsers, findSubnet, findVpc, subnetBlock } from "./vpc-lookups";
import { checkName, overlappingSubnet } from "./vpcs";

/** Subnets are /16 to /28 (CreateSubnet); a VPC holds at most 100 of them. */
const SUBNET_PREFIX_MIN = 16;
const SUBNET_PREFIX_MAX = 28;
const SUBNETS_PER_VPC = 100;

function subnetView(state: Readonly<CloudState>, subnet: SubnetRecord) {
  const block = subnetBlock(subnet);
  const total = assignableCount(block);
  return {
    VpcId: subnet.vpcId,
    SubnetId: subnet.subnetId,
    SubnetName: subnet.name,
    CidrBlock: subnet.cidrBlock,
    IsDefault: false,
    EnableBroadcast: subnet.enableBroadcast,
    Zone: subnet.zone,
    RouteTableId: subnet.routeTableId,
    CreatedTime: vpcTime(subnet.createdTime),
    AvailableIpAddressCount: total - addressUsers(state, subnet.subnetId).length,
    Ipv6CidrBlock: "",
    NetworkAclId: "",
    IsRemoteVpcSnat: false,
    TotalIpAddressCount: block.size,
    TagSet: tagList(tagsOf(state, "subnet", subnet.subnetId)),
    CdcId: "",
    IsCdcSubnet: 0,
  };
}

export const CreateSubnet: ActionDefinition = {
  parameters: ["VpcId", "SubnetName", "CidrBlock", "Zone", "Tags", "CdcId"],
  async handle({ cloud, params }) {
    const state = cloud.store.state;
    const vpc = findVpc(state, params.requiredString("VpcId"));
    const name = params.requiredString("SubnetName");
    checkName(name, "SubnetName");
    const cidrText = params.requiredString("CidrBlock");
    const block = parseIpv4Block(cidrText);
    if (!block)
      throw invalidParameterValue(
        "CidrBlock",
        cidrText,
        "must be an IPv4 CIDR block with the host bits zero",
        "InvalidParameterValue.Malformed",
      );
    if (
      block.prefixLength < SUBNET_PREFIX_MIN ||
      block.prefixLength > SUBNET_PREFIX_MAX ||
      !blockWithin(block, parseIpv4Block(vpc.cidrBlock) as Ipv4Block)
    ) {
      throw new ApiError(
        "InvalidParameterValue.SubnetRange",
        `The subnet ${cidrText} must lie in the VPC's block ${vpc.cidrBlock} with a prefix of /${SUBNET_PREFIX_MIN} to /${SUBNET_PREFIX_MAX}.`,
      );
    }
    const overlapping = overlappingSubnet(state, vpc.vpcId, block);
    if (overlapping)
      throw new ApiError(
        "InvalidParameterValue.SubnetConflict",
        `The subnet ${cidrText} overlaps the subnet ${overlapping} of ${vpc.vpcId}.`,
      );
    const zone = params.requiredString("Zone");
    if (!cloud.config.zones.includes(zone)) {
      throw invalidParameterValue("Zone", zone, `this region (${cloud.config.region}) has the zones ${cloud.config.zones.join(", ")}`);
    }
    if (params.has("CdcId")) throw new ApiError("UnsupportedOperation", "CDC subnets (`CdcId`) are not supported by this local cloud.");
    if (Object.values(state.subnets).filter((subnet) => subnet.vpcId === vpc.vpcId).length >= SUBNETS_PER_VPC) {
      throw new ApiError("LimitExceeded", `The VPC ${vpc.vpcId} already has ${SUBNETS_PER_VPC} subnets, the quota.`);
    }
    const tags = readVpcTags(params);
    const subnetId = newResourceId("subnet", (id) => id in state.subnets);
    await cloud.host.createSubnet({ vpcId: vpc.vpcId, subnetId, cidrBlock: block.text, gateway: addressText(block.network + 1), zone });
    const subnet = cloud.store.mutate((draft) => {
      const record: SubnetRecord = {
        subnetId,
        vpcId: vpc.vpcId,
        name,
        cidrBlock: block.text,
        zone,
        enableBroadcast: false,
        routeTableId: vpc.defaultRouteTableId,
        createdTime: isoNow(cloud.now()),
      };
      draft.subnets[subnetId] = record;
      setTags(draft, "subnet", subnetId, tags);
      return record;
    });
    return { Subnet: subnetView(cloud.store.state, subnet) };
  },
};

export const DescribeSubnets: ActionDefinition = {
  parameters: ["SubnetIds", "Filters", "Offset", "Limit"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("SubnetIds");
    const filters = readFilters(
      params,
      ["subnet-id", "vpc-id", "cidr-block", "is-default", "is-remote-vpc-snat", "subnet-name", "zone", "cdc-id"],
      "InvalidParameter.FilterInvalidKey",
      true,
    );
    if (ids && filters.length > 0) throw new ApiError("InvalidParameter.Coexist", "SubnetIds and Filters cannot be given together.");
    for (const id of ids ?? []) findSubnet(state, id, "SubnetIds");
    const matching = Object.values(state.subnets).filter(
      (subnet) =>
        (!ids || ids.includes(subnet.subnetId)) &&
        matchesFilters(
          subnet,
          filters,
          {
            "subnet-id": (s) => [s.subnetId],
            "vpc-id": (s) => [s.vpcId],
            "cidr-block": (s) => [s.cidrBlock],
            "is-default": () => ["false"],
            "is-remote-vpc-snat": () => ["false"],
            "subnet-name": (s) => [s.name],
            zone: (s) => [s.zone],
            "cdc-id": () => [],
          },
          (s) => tagsOf(state, "subnet", s.subnetId),
        ),
    );
    return { TotalCount: matching.length, SubnetSet: paginate(matching, params).map((subnet) => subnetView(state, subnet)) };
  },
};

export const ModifySubnetAttribute: ActionDefinition = {
  parameters: ["SubnetId", "SubnetName", "EnableBroadcast"],
  handle({ cloud, params }) {
    const subnetId = params.requiredString("SubnetId");
    findSubnet(cloud.store.state, subnetId);
    const name = params.string("SubnetName");
    if (name !== undefined) checkName(name, "SubnetName");
    const enableBroadcast = params.booleanText("EnableBroadcast");
    cloud.store.mutate((draft) => {
      if (name !== undefined) draft.subnets[subnetId].name = name;
      if (enableBroadcast !== undefined) draft.subnets[subnetId].enableBroadcast = enableBroadcast;
    });
    return {};
  },
};

export const DeleteSubnet: ActionDefinition = {
  parameters: ["SubnetId"],
  async handle({ cloud, params }) {
    const subnetId = params.requiredString("SubnetId");
    const state = cloud.store.state;
    findSubnet(state, subnetId);
    const users = addressUsers(state, subnetId).map((user) => user.resourceId);
    if (users.length > 0) throw new ApiError("ResourceInUse", `The subnet ${subnetId} still has resources in it: ${users.join(", ")}.`);
    await cloud.host.deleteSubnet(subnetId);
    cloud.store.mutate((draft) => {
      delete draft.subnets[subnetId];
      dropTags(draft, "subnet", subnetId);
    });
    return {};
  },
};
