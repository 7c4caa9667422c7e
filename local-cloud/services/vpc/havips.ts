import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import type { Params } from "../../api/params";
import { dropTags, readVpcTags, setTags, tagList, tagsOf } from "../../api/resource-tags";
import { addressText, assignableAddresses, blockContains, parseIpv4, reservedRole } from "../../network/ipv4-block";
import { ApiError, invalidParameterValue } from "../../server/api-error";
import { isoNow, vpcTime } from "../../state/api-time";
import type { CloudState, HaVipAssociationRecord, HaVipRecord } from "../../state/cloud-state";
import { newResourceId } from "../../state/resource-ids";
import { dropStaleBindings, MAX_HAVIPS_PER_ENI } from "./havip-binding";
import { addressUsers, findHaVip, findVpc, subnetBlock } from "./vpc-lookups";
import { checkName } from "./vpcs";

/** Tencent's default HAVIP quota: 10 per VPC. */
export const MAX_HAVIPS_PER_VPC = 10;
const ASSOCIATION_FIELDS = ["HaVipId", "InstanceId", "InstanceType"];
const NEVER_FLUSHED = "0000-00-00 00:00:00";

function havipView(state: Readonly<CloudState>, havip: HaVipRecord) {
  const bound = havip.boundInstanceId === null ? undefined : state.instances[havip.boundInstanceId];
  return {
    HaVipId: havip.havipId,
    HaVipName: havip.name,
    Vip: havip.vip,
    VpcId: havip.vpcId,
    SubnetId: havip.subnetId,
    NetworkInterfaceId: bound?.networkInterfaceId ?? "",
    InstanceId: bound?.instanceId ?? "",
    AddressIp: havip.addressIp,
    State: bound ? "AVAILABLE" : "UNBIND",
    CreatedTime: vpcTime(havip.createdTime),
    Business: "",
    HaVipAssociationSet: havip.associations.map((association) => ({
      InstanceId: association.instanceId,
      HaVipId: havip.havipId,
      InstanceType: association.instanceType,
    })),
    CheckAssociate: havip.checkAssociate,
    CdcId: "",
    FlushedTime: havip.flushedTime === "" ? NEVER_FLUSHED : vpcTime(havip.flushedTime),
    TagSet: tagList(tagsOf(state, "havip", havip.havipId)),
  };
}

/** Reads `HaVipAssociationSet` entries and checks each against the state (only CVMs in the HAVIP's subnet, at most 5 HAVIPs per ENI). */
function readAssociations(state: Readonly<CloudState>, entries: Params[], havipIdOf: (entry: Params) => string, requireType: boolean) {
  const pairs: { havipId: string; association: HaVipAssociationRecord }[] = [];
  for (const entry of entries) {
    const havipId = havipIdOf(entry);
    const havip = findHaVip(state, havipId, entry.name("HaVipId"));
    const instanceId = entry.requiredString("InstanceId");
    const instanceType = requireType ? entry.requiredString("InstanceType") : (entry.string("InstanceType") ?? "CVM");
    if (instanceType !== "CVM") {
      throw new ApiError(
        "UnsupportedOperation",
        `${entry.name("InstanceType")} ${JSON.stringify(instanceType)}: this local cloud associates HAVIPs with CVMs only.`,
      );
    }
    const instance = state.instances[instanceId];
    if (!instance) throw new ApiError("ResourceNotFound", `The instance \`${instanceId}\` does not exist.`);
    if (instance.subnetId !== havip.subnetId) {
      throw new ApiError(
        "InvalidParameterValue.ParameterMismatch",
        `The instance ${instanceId} is in ${instance.subnetId}, the HAVIP ${havipId} in ${havip.subnetId}.`,
      );
    }
    if (pairs.some((pair) => pair.havipId === havipId && pair.association.instanceId === instanceId)) {
      throw new ApiError("InvalidParameterValue.Duplicate", `The association of ${havipId} with ${instanceId} is given twice.`);
    }
    pairs.push({ havipId, association: { instanceId, instanceType } });
  }
  return pairs;
}

function addAssociations(draft: CloudState, pairs: { havipId: string; association: HaVipAssociationRecord }[]): void {
  for (const { havipId, association } of pairs) {
    const havip = draft.havips[havipId];
    if (havip.associations.some((existing) => existing.instanceId === association.instanceId)) {
      throw new ApiError(
        "InvalidParameterValue.DuplicatedHaVipAssociations",
        `The HAVIP ${havipId} is already associated with ${association.instanceId}.`,
      );
    }
    const onEni = Object.values(draft.havips).filter((other) =>
      other.associations.some((existing) => existing.instanceId === association.instanceId),
    ).length;
    if (onEni >= MAX_HAVIPS_PER_ENI) {
      throw new ApiError(
        "LimitExceeded",
        `The ENI of ${association.instanceId} already has ${MAX_HAVIPS_PER_ENI} HAVIPs, the most one ENI can hold.`,
      );
    }
    havip.associations.push(association);
  }
}

/** The address an HAVIP asks for, checked against its subnet; or the lowest free one. */
function chooseAddress(state: Readonly<CloudState>, subnetId: string, wanted: string | undefined): string {
  const subnet = state.subnets[subnetId];
  const block = subnetBlock(subnet);
  const used = new Set(addressUsers(state, subnetId).map((user) => user.address));
  if (wanted === undefined) {
    for (const address of assignableAddresses(block)) if (!used.has(addressText(address))) return addressText(address);
    throw new ApiError("ResourceInsufficient", `The subnet ${subnetId} has no free address left.`);
  }
  const address = parseIpv4(wanted);
  if (address === undefined) throw invalidParameterValue("Vip", wanted, "must be an IPv4 address", "InvalidParameterValue.Malformed");
  if (!blockContains(block, address))
    throw invalidParameterValue("Vip", wanted, `must lie in the subnet ${subnet.cidrBlock}`, "InvalidParameterValue.Range");
  const role = reservedRole(block, address);
  if (role)
    throw invalidParameterValue(
      "Vip",
      wanted,
      `is ${role} of ${subnet.cidrBlock}, which Tencent keeps for itself`,
      "InvalidParameterValue.Reserved",
    );
  if (used.has(wanted)) throw new ApiError("ResourceInUse", `The address ${wanted} is already used in the subnet ${subnetId}.`);
  return wanted;
}

export const CreateHaVip: ActionDefinition = {
  parameters: [
    "VpcId",
    "HaVipName",
    "SubnetId",
    "Vip",
    "NetworkInterfaceId",
    "CheckAssociate",
    "Tags",
    "HaVipAssociationSet",
    "ClientToken",
  ],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const vpc = findVpc(state, params.requiredString("VpcId"));
    if (params.has("NetworkInterfaceId"))
      throw new ApiError(
        "UnsupportedOperation",
        "HAVIPs in an ENI's subnet (`NetworkInterfaceId`) are not supported by this local cloud; give `SubnetId`.",
      );
    const subnetId = params.requiredString("SubnetId");
    const subnet = state.subnets[subnetId];
    if (!subnet) throw new ApiError("UnsupportedOperation.SubnetNotExists", `The subnet \`${subnetId}\` does not exist.`);
    if (subnet.vpcId !== vpc.vpcId) throw new ApiError("InvalidParameterValue", `The subnet ${subnetId} is not in the VPC ${vpc.vpcId}.`);
    const name = params.requiredString("HaVipName");
    checkName(name, "HaVipName");
    if (Object.values(state.havips).filter((havip) => havip.vpcId === vpc.vpcId).length >= MAX_HAVIPS_PER_VPC) {
      throw new ApiError("LimitExceeded", `The VPC ${vpc.vpcId} already has ${MAX_HAVIPS_PER_VPC} HAVIPs, the quota.`);
    }
    const vip = chooseAddress(state, subnetId, params.string("Vip"));
    const tags = readVpcTags(params);
    const havipId = newResourceId("havip", (id) => id in state.havips);
    const entries = params.objectList("HaVipAssociationSet", ASSOCIATION_FIELDS) ?? [];
    const havip = cloud.store.mutate((draft) => {
      const record: HaVipRecord = {
        havipId,
        name,
        vpcId: vpc.vpcId,
        subnetId,
        vip,
        checkAssociate: params.boolean("CheckAssociate") ?? false,
        associations: [],
        addressIp: "",
        boundInstanceId: null,
        createdTime: isoNow(cloud.now()),
        flushedTime: "",
      };
      draft.havips[havipId] = record;
      addAssociations(
        draft,
        readAssociations(draft, entries, () => havipId, true),
      );
      setTags(draft, "havip", havipId, tags);
      return record;
    });
    return { HaVip: havipView(cloud.store.state, cloud.store.state.havips[havip.havipId]) };
  },
};

export const DescribeHaVips: ActionDefinition = {
  parameters: ["HaVipIds", "Filters", "Offset", "Limit"],
  handle({ cloud, params }) {
    const ids = params.stringList("HaVipIds");
    const filters = readFilters(
      params,
      [
        "havip-id",
        "havip-name",
        "vpc-id",
        "subnet-id",
        "vip",
        "address-ip",
        "havip-association.instance-id",
        "havip-association.instance-type",
      ],
      "InvalidParameter.FilterInvalidKey",
    );
    if (ids && filters.length > 0) throw new ApiError("InvalidParameter.Coexist", "HaVipIds and Filters cannot be given together.");
    for (const id of ids ?? []) findHaVip(cloud.store.state, id, "HaVipIds");
    const matches = (havip: HaVipRecord) =>
      (!ids || ids.includes(havip.havipId)) &&
      matchesFilters(havip, filters, {
        "havip-id": (h) => [h.havipId],
        "havip-name": (h) => [h.name],
        "vpc-id": (h) => [h.vpcId],
        "subnet-id": (h) => [h.subnetId],
        vip: (h) => [h.vip],
        "address-ip": (h) => [h.addressIp],
        "havip-association.instance-id": (h) => h.associations.map((association) => association.instanceId),
        "havip-association.instance-type": (h) => h.associations.map((association) => association.instanceType),
      });
    const state = cloud.store.state;
    const matching = Object.values(state.havips).filter(matches);
    return { TotalCount: matching.length, HaVipSet: paginate(matching, params).map((havip) => havipView(state, havip)) };
  },
};

export const ModifyHaVipAttribute: ActionDefinition = {
  parameters: ["HaVipId", "HaVipName"],
  handle({ cloud, params }) {
    const havipId = params.requiredString("HaVipId");
    findHaVip(cloud.store.state, havipId);
    const name = params.requiredString("HaVipName");
    checkName(name, "HaVipName");
    cloud.store.mutate((draft) => {
      draft.havips[havipId].name = name;
    });
    return {};
  },
};

export const DeleteHaVip: ActionDefinition = {
  parameters: ["HaVipId"],
  handle({ cloud, params }) {
    const havipId = params.requiredString("HaVipId");
    const havip = findHaVip(cloud.store.state, havipId);
    if (havip.addressIp !== "")
      throw new ApiError("UnsupportedOperation.BindEIP", `The HAVIP ${havipId} still has the EIP ${havip.addressIp}; unbind it first.`);
    if (havip.associations.length > 0) {
      throw new ApiError(
        "ResourceInUse",
        `The HAVIP ${havipId} is still associated with ${havip.associations.map((association) => association.instanceId).join(", ")}.`,
      );
    }
    cloud.store.mutate((draft) => {
      delete draft.havips[havipId];
      dropTags(draft, "havip", havipId);
    });
    return {};
  },
};

export const AssociateHaVipInstance: ActionDefinition = {
  parameters: ["HaVipAssociationSet"],
  handle({ cloud, params }) {
    const entries = params.objectList("HaVipAssociationSet", ASSOCIATION_FIELDS) ?? [];
    if (entries.length === 0)
      throw new ApiError("MissingParameter", "The request is missing the required parameter `HaVipAssociationSet`.");
    const pairs = readAssociations(cloud.store.state, entries, (entry) => entry.requiredString("HaVipId"), true);
    cloud.store.mutate((draft) => addAssociations(draft, pairs));
    return {};
  },
};

/** Removing an association that no longer exists (its instance was terminated) succeeds: the end state is the one asked for. */
export const DisassociateHaVipInstance: ActionDefinition = {
  parameters: ["HaVipAssociationSet"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const entries = params.objectList("HaVipAssociationSet", ASSOCIATION_FIELDS) ?? [];
    if (entries.length === 0)
      throw new ApiError("MissingParameter", "The request is missing the required parameter `HaVipAssociationSet`.");
    const pairs = entries.map((entry) => {
      const havipId = entry.requiredString("HaVipId");
      const havip = findHaVip(state, havipId, entry.name("HaVipId"));
      const instanceId = entry.requiredString("InstanceId");
      if (!havip.associations.some((association) => association.instanceId === instanceId) && state.instances[instanceId]) {
        throw new ApiError("ResourceNotFound", `The HAVIP ${havipId} is not associated with ${instanceId}.`);
      }
      return { havipId, instanceId };
    });
    cloud.store.mutate((draft) => {
      for (const { havipId, instanceId } of pairs) {
        draft.havips[havipId].associations = draft.havips[havipId].associations.filter(
          (association) => association.instanceId !== instanceId,
        );
      }
      dropStaleBindings(draft, isoNow(cloud.now()));
    });
    return {};
  },
};

export const HaVipAssociateAddressIp: ActionDefinition = {
  parameters: ["HaVipId", "AddressIp"],
  async handle({ cloud, params }) {
    const state = cloud.store.state;
    const havip = findHaVip(state, params.requiredString("HaVipId"));
    const addressIp = params.requiredString("AddressIp");
    const eip = Object.values(state.addresses).find((address) => address.addressIp === addressIp);
    if (!eip) throw new ApiError("ResourceNotFound", `No EIP has the address ${addressIp}.`);
    if (havip.addressIp !== "")
      throw new ApiError("UnsupportedOperation.BindEIP", `The HAVIP ${havip.havipId} already has the EIP ${havip.addressIp}.`);
    if (eip.status !== "UNBIND")
      throw new ApiError("UnsupportedOperation.BindEIP", `The EIP ${eip.addressId} (${addressIp}) is ${eip.status}, not UNBIND.`);
    await cloud.host.routePublicAddress(addressIp, { vpcId: havip.vpcId, subnetId: havip.subnetId, address: havip.vip });
    cloud.store.mutate((draft) => {
      draft.havips[havip.havipId].addressIp = addressIp;
      draft.addresses[eip.addressId].status = "BIND";
      draft.addresses[eip.addressId].boundHavipId = havip.havipId;
    });
    return {};
  },
};

export const HaVipDisassociateAddressIp: ActionDefinition = {
  parameters: ["HaVipId"],
  async handle({ cloud, params }) {
    const havip = findHaVip(cloud.store.state, params.requiredString("HaVipId"));
    if (havip.addressIp === "") throw new ApiError("UnsupportedOperation.UnbindEIP", `The HAVIP ${havip.havipId} has no EIP.`);
    await cloud.host.routePublicAddress(havip.addressIp, undefined);
    cloud.store.mutate((draft) => {
      const eip = Object.values(draft.addresses).find((address) => address.addressIp === havip.addressIp);
      if (eip) {
        eip.status = "UNBIND";
        eip.boundHavipId = null;
      }
      draft.havips[havip.havipId].addressIp = "";
    });
    return {};
  },
};
