import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import { dropTags, readVpcTags, setTags, tagList, tagsOf } from "../../api/resource-tags";
import { blocksOverlap, type Ipv4Block, isPrivateBlock, parseIpv4, parseIpv4Block } from "../../network/ipv4-block";
import { ApiError, invalidParameterValue } from "../../server/api-error";
import { isoNow, vpcTime } from "../../state/api-time";
import type { CloudState, VpcRecord } from "../../state/cloud-state";
import { newResourceId } from "../../state/resource-ids";
import { findVpc } from "./vpc-lookups";

/** Tencent VPC limits: names of 1-60 characters, 20 VPCs per region, 1-4 DNS servers. */
export const NAME_MAX_LENGTH = 60;
const VPCS_PER_REGION = 20;
const MAX_DNS_SERVERS = 4;
/** A VPC's block: /12 to /28 inside 10.0.0.0/8 or 172.16.0.0/12, /16 to /28 inside 192.168.0.0/16 (CreateVpc). */
const VPC_PREFIX_MAX = 28;

export function checkName(name: string, parameter: string): void {
  if (name === "") throw new ApiError("InvalidParameterValue.Empty", `\`${parameter}\` must not be empty.`);
  if (name.length > NAME_MAX_LENGTH) {
    throw new ApiError(
      "InvalidParameterValue.TooLong",
      `\`${parameter}\` ${JSON.stringify(name)} is longer than ${NAME_MAX_LENGTH} characters.`,
    );
  }
}

function readVpcBlock(text: string): Ipv4Block {
  const block = parseIpv4Block(text);
  if (!block)
    throw invalidParameterValue("CidrBlock", text, "must be an IPv4 CIDR block with the host bits zero", "InvalidParameterValue.Malformed");
  const minPrefix = text.startsWith("192.168.") ? 16 : 12;
  if (!isPrivateBlock(block) || block.prefixLength < minPrefix || block.prefixLength > VPC_PREFIX_MAX) {
    throw invalidParameterValue(
      "CidrBlock",
      text,
      "must lie in 10.0.0.0/8 or 172.16.0.0/12 with a prefix of /12 to /28, or in 192.168.0.0/16 with a prefix of /16 to /28",
    );
  }
  return block;
}

function readDnsServers(values: readonly string[] | undefined): string[] {
  const servers = values ?? [];
  if (servers.length > MAX_DNS_SERVERS)
    throw invalidParameterValue("DnsServers", servers, `at most ${MAX_DNS_SERVERS} servers`, "InvalidParameterValue.LimitExceeded");
  for (const server of servers)
    if (parseIpv4(server) === undefined)
      throw invalidParameterValue("DnsServers", server, "must be an IPv4 address", "InvalidParameterValue.Malformed");
  return [...servers];
}

/** Tencent's default DNS servers for a VPC. */
const DEFAULT_DNS_SERVERS = ["183.60.83.19", "183.60.82.98"];

function vpcView(state: Readonly<CloudState>, vpc: VpcRecord) {
  return {
    VpcId: vpc.vpcId,
    VpcName: vpc.name,
    CidrBlock: vpc.cidrBlock,
    IsDefault: false,
    EnableMulticast: vpc.enableMulticast,
    CreatedTime: vpcTime(vpc.createdTime),
    DnsServerSet: vpc.dnsServers,
    DomainName: "",
    DhcpOptionsId: "",
    EnableDhcp: true,
    Ipv6CidrBlock: "",
    TagSet: tagList(tagsOf(state, "vpc", vpc.vpcId)),
    AssistantCidrSet: [],
    EnableRouteVpcPublish: vpc.enableRouteVpcPublish,
    EnableRouteVpcPublishIpv6: vpc.enableRouteVpcPublishIpv6,
  };
}

export const CreateVpc: ActionDefinition = {
  parameters: [
    "VpcName",
    "CidrBlock",
    "EnableMulticast",
    "DnsServers",
    "DomainName",
    "Tags",
    "EnableRouteVpcPublish",
    "EnableRouteVpcPublishIpv6",
  ],
  async handle({ cloud, params }) {
    const name = params.requiredString("VpcName");
    checkName(name, "VpcName");
    const block = readVpcBlock(params.requiredString("CidrBlock"));
    const enableMulticast = params.booleanText("EnableMulticast") ?? false;
    const dnsServers = readDnsServers(params.stringList("DnsServers"));
    const tags = readVpcTags(params);
    const state = cloud.store.state;
    if (Object.keys(state.vpcs).length >= VPCS_PER_REGION) {
      throw new ApiError("LimitExceeded", `This region already has ${VPCS_PER_REGION} VPCs, the quota.`);
    }
    const vpcId = newResourceId("vpc", (id) => id in state.vpcs);
    const routeTableId = newResourceId("rtb", (id) => id in state.routeTables);
    await cloud.host.createVpc({ vpcId, cidrBlock: block.text });
    const createdTime = isoNow(cloud.now());
    const vpc = cloud.store.mutate((draft) => {
      const record: VpcRecord = {
        vpcId,
        name,
        cidrBlock: block.text,
        enableMulticast,
        dnsServers: dnsServers.length > 0 ? dnsServers : DEFAULT_DNS_SERVERS,
        enableRouteVpcPublish: params.boolean("EnableRouteVpcPublish") ?? false,
        enableRouteVpcPublishIpv6: params.boolean("EnableRouteVpcPublishIpv6") ?? false,
        defaultRouteTableId: routeTableId,
        createdTime,
      };
      draft.vpcs[vpcId] = record;
      draft.routeTables[routeTableId] = { routeTableId, vpcId, name: "default", main: true, createdTime };
      setTags(draft, "vpc", vpcId, tags);
      return record;
    });
    return { Vpc: vpcView(cloud.store.state, vpc) };
  },
};

export const DescribeVpcs: ActionDefinition = {
  parameters: ["VpcIds", "Filters", "Offset", "Limit"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("VpcIds");
    const filters = readFilters(params, ["vpc-id", "vpc-name", "cidr-block", "is-default"], "InvalidParameter.FilterInvalidKey", true);
    if (ids && filters.length > 0) throw new ApiError("InvalidParameter.Coexist", "VpcIds and Filters cannot be given together.");
    for (const id of ids ?? []) findVpc(state, id, "VpcIds");
    const matching = Object.values(state.vpcs).filter(
      (vpc) =>
        (!ids || ids.includes(vpc.vpcId)) &&
        matchesFilters(
          vpc,
          filters,
          { "vpc-id": (v) => [v.vpcId], "vpc-name": (v) => [v.name], "cidr-block": (v) => [v.cidrBlock], "is-default": () => ["false"] },
          (v) => tagsOf(state, "vpc", v.vpcId),
        ),
    );
    return { TotalCount: matching.length, VpcSet: paginate(matching, params).map((vpc) => vpcView(state, vpc)) };
  },
};

export const ModifyVpcAttribute: ActionDefinition = {
  parameters: [
    "VpcId",
    "VpcName",
    "EnableMulticast",
    "DnsServers",
    "DomainName",
    "EnableCdcPublish",
    "EnableRouteVpcPublish",
    "EnableRouteVpcPublishIpv6",
  ],
  handle({ cloud, params }) {
    const vpcId = params.requiredString("VpcId");
    findVpc(cloud.store.state, vpcId);
    const name = params.string("VpcName");
    if (name !== undefined) checkName(name, "VpcName");
    const enableMulticast = params.booleanText("EnableMulticast");
    const dnsServers = params.has("DnsServers") ? readDnsServers(params.stringList("DnsServers")) : undefined;
    const publish = params.boolean("EnableRouteVpcPublish");
    const publishIpv6 = params.boolean("EnableRouteVpcPublishIpv6");
    cloud.store.mutate((draft) => {
      const vpc = draft.vpcs[vpcId];
      if (name !== undefined) vpc.name = name;
      if (enableMulticast !== undefined) vpc.enableMulticast = enableMulticast;
      if (dnsServers !== undefined && dnsServers.length > 0) vpc.dnsServers = dnsServers;
      if (publish !== undefined) vpc.enableRouteVpcPublish = publish;
      if (publishIpv6 !== undefined) vpc.enableRouteVpcPublishIpv6 = publishIpv6;
    });
    return {};
  },
};

export const DeleteVpc: ActionDefinition = {
  parameters: ["VpcId"],
  async handle({ cloud, params }) {
    const vpcId = params.requiredString("VpcId");
    const state = cloud.store.state;
    findVpc(state, vpcId);
    const users = [
      ...Object.values(state.subnets)
        .filter((subnet) => subnet.vpcId === vpcId)
        .map((subnet) => subnet.subnetId),
      ...Object.values(state.instances)
        .filter((instance) => instance.vpcId === vpcId)
        .map((instance) => instance.instanceId),
      ...Object.values(state.havips)
        .filter((havip) => havip.vpcId === vpcId)
        .map((havip) => havip.havipId),
    ];
    if (users.length > 0) throw new ApiError("ResourceInUse", `The VPC ${vpcId} still has resources in it: ${users.join(", ")}.`);
    await cloud.host.deleteVpc(vpcId);
    cloud.store.mutate((draft) => {
      const routeTableId = draft.vpcs[vpcId].defaultRouteTableId;
      delete draft.routeTables[routeTableId];
      delete draft.vpcs[vpcId];
      dropTags(draft, "vpc", vpcId);
    });
    return {};
  },
};

export const DescribeRouteTables: ActionDefinition = {
  parameters: ["RouteTableIds", "Filters", "Offset", "Limit"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("RouteTableIds");
    const filters = readFilters(
      params,
      ["route-table-id", "route-table-name", "vpc-id", "association.main", "association.subnet-id"],
      "InvalidParameter.FilterInvalidKey",
      true,
    );
    const subnetsOf = (routeTableId: string) => Object.values(state.subnets).filter((subnet) => subnet.routeTableId === routeTableId);
    const matching = Object.values(state.routeTables).filter(
      (table) =>
        (!ids || ids.includes(table.routeTableId)) &&
        matchesFilters(table, filters, {
          "route-table-id": (t) => [t.routeTableId],
          "route-table-name": (t) => [t.name],
          "vpc-id": (t) => [t.vpcId],
          "association.main": (t) => [String(t.main)],
          "association.subnet-id": (t) => subnetsOf(t.routeTableId).map((subnet) => subnet.subnetId),
        }),
    );
    return {
      TotalCount: matching.length,
      RouteTableSet: paginate(matching, params).map((table) => {
        const vpc = state.vpcs[table.vpcId];
        return {
          VpcId: table.vpcId,
          RouteTableId: table.routeTableId,
          RouteTableName: table.name,
          AssociationSet: subnetsOf(table.routeTableId).map((subnet) => ({ SubnetId: subnet.subnetId, RouteTableId: table.routeTableId })),
          // The VPC's local route: what makes its subnets reach each other.
          RouteSet: [
            {
              DestinationCidrBlock: vpc.cidrBlock,
              GatewayType: "LOCAL",
              GatewayId: "Local",
              RouteId: 0,
              RouteDescription: "",
              Enabled: true,
              RouteType: "NETMASK",
              RouteTableId: table.routeTableId,
              DestinationIpv6CidrBlock: "",
              RouteItemId: `rti-${table.routeTableId.slice(4)}`,
              PublishedToVbc: false,
              CreatedTime: vpcTime(table.createdTime),
            },
          ],
          Main: table.main,
          CreatedTime: vpcTime(table.createdTime),
          TagSet: [],
          LocalCidrForCcn: [],
        };
      }),
    };
  },
};

/** Whether `block` overlaps a subnet of the VPC other than `exceptSubnetId`. */
export function overlappingSubnet(state: Readonly<CloudState>, vpcId: string, block: Ipv4Block): string | undefined {
  return Object.values(state.subnets).find(
    (subnet) => subnet.vpcId === vpcId && blocksOverlap(parseIpv4Block(subnet.cidrBlock) as Ipv4Block, block),
  )?.subnetId;
}
