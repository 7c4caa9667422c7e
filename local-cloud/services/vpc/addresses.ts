import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import { dropTags, readVpcTags, setTags, tagList, tagsOf } from "../../api/resource-tags";
import { ApiError, invalidParameterValue } from "../../server/api-error";
import { isoNow } from "../../state/api-time";
import type { AddressRecord, CloudState } from "../../state/cloud-state";
import { isResourceId, newResourceId } from "../../state/resource-ids";
import { allocatePublicAddress } from "./public-addresses";
import { checkName } from "./vpcs";

/** Tencent's default EIP quota: 20 per region. */
export const MAX_EIPS_PER_REGION = 20;
const CHARGE_TYPES = ["TRAFFIC_POSTPAID_BY_HOUR", "BANDWIDTH_POSTPAID_BY_HOUR", "BANDWIDTH_PACKAGE", "BANDWIDTH_PREPAID_BY_MONTH"];
/** Billed by traffic: up to 200 Mbit/s; billed by bandwidth: up to 1000 (Tencent's EIP bandwidth limits). */
const maxBandwidth = (chargeType: string) => (chargeType === "TRAFFIC_POSTPAID_BY_HOUR" ? 200 : 1000);
const DEFAULT_CHARGE_TYPE = "TRAFFIC_POSTPAID_BY_HOUR";

function findAddress(state: Readonly<CloudState>, id: string, name = "AddressId"): AddressRecord {
  if (!isResourceId("eip", id))
    throw invalidParameterValue(name, id, "must be an EIP id (eip-xxxxxxxx)", "InvalidParameterValue.AddressIdMalformed");
  const address = state.addresses[id];
  if (!address) throw new ApiError("InvalidParameterValue.AddressNotFound", `The EIP \`${id}\` does not exist.`);
  return address;
}

function checkBandwidth(bandwidth: number, chargeType: string, name: string): void {
  if (bandwidth < 1 || bandwidth > maxBandwidth(chargeType)) {
    throw invalidParameterValue(
      name,
      bandwidth,
      `must be 1-${maxBandwidth(chargeType)} Mbit/s for ${chargeType}`,
      "InvalidParameterValue.BandwidthOutOfRange",
    );
  }
}

function addressView(state: Readonly<CloudState>, address: AddressRecord) {
  const havip = address.boundHavipId === null ? undefined : state.havips[address.boundHavipId];
  return {
    AddressId: address.addressId,
    AddressName: address.name,
    AddressStatus: address.status,
    AddressIp: address.addressIp,
    InstanceId: havip?.havipId ?? "",
    CreatedTime: address.createdTime,
    NetworkInterfaceId: "",
    PrivateAddressIp: havip?.vip ?? "",
    IsArrears: false,
    IsBlocked: false,
    IsEipDirectConnection: false,
    AddressType: "EIP",
    CascadeRelease: false,
    EipAlgType: { Ftp: false, Sip: false },
    InternetServiceProvider: "BGP",
    LocalBgp: false,
    Bandwidth: address.bandwidth,
    InternetChargeType: address.internetChargeType,
    TagSet: tagList(tagsOf(state, "eip", address.addressId)),
    InstanceType: havip ? "HAVIP" : "",
    Egress: "center_egress1",
    AntiDDoSPackageId: "",
    RenewFlag: "",
    BandwidthPackageId: "",
    UnVpcId: "",
    DedicatedClusterId: "",
  };
}

/** Allocation completes before the answer; its TaskId reports SUCCESS to DescribeTaskResult. */
export const AllocateAddresses: ActionDefinition = {
  parameters: [
    "AddressCount",
    "InternetServiceProvider",
    "InternetChargeType",
    "InternetMaxBandwidthOut",
    "AddressType",
    "AddressName",
    "Tags",
    "Egress",
    "ClientToken",
  ],
  handle({ cloud, params }) {
    const count = params.integer("AddressCount", { min: 1, max: 20 }) ?? 1;
    const chargeType = params.string("InternetChargeType") ?? DEFAULT_CHARGE_TYPE;
    if (!CHARGE_TYPES.includes(chargeType))
      throw invalidParameterValue("InternetChargeType", chargeType, `must be one of ${CHARGE_TYPES.join(", ")}`);
    const bandwidth = params.integer("InternetMaxBandwidthOut") ?? 1;
    checkBandwidth(bandwidth, chargeType, "InternetMaxBandwidthOut");
    const addressType = params.string("AddressType") ?? "EIP";
    if (addressType !== "EIP")
      throw new ApiError("UnsupportedOperation", `AddressType ${addressType}: this local cloud allocates plain EIPs only.`);
    const isp = params.string("InternetServiceProvider") ?? "BGP";
    if (isp !== "BGP")
      throw new ApiError("UnsupportedOperation", `InternetServiceProvider ${isp}: this local cloud has BGP addresses only.`);
    const name = params.string("AddressName") ?? "";
    if (name !== "") checkName(name, "AddressName");
    const tags = readVpcTags(params);
    if (Object.keys(cloud.store.state.addresses).length + count > MAX_EIPS_PER_REGION) {
      throw new ApiError(
        "AddressQuotaLimitExceeded",
        `This region allows ${MAX_EIPS_PER_REGION} EIPs; ${Object.keys(cloud.store.state.addresses).length} exist.`,
      );
    }
    const { ids, taskId } = cloud.store.mutate((draft) => {
      const allocated: string[] = [];
      for (let i = 0; i < count; i++) {
        const addressId = newResourceId("eip", (id) => id in draft.addresses);
        draft.addresses[addressId] = {
          addressId,
          name,
          addressIp: allocatePublicAddress(draft, cloud.config, "ResourceInsufficient"),
          status: "UNBIND",
          internetChargeType: chargeType,
          bandwidth,
          boundHavipId: null,
          createdTime: isoNow(cloud.now()),
        };
        setTags(draft, "eip", addressId, tags);
        allocated.push(addressId);
      }
      const task = String(draft.nextTaskId++);
      draft.tasks[task] = { result: "SUCCESS" };
      return { ids: allocated, taskId: task };
    });
    return { AddressSet: ids, TaskId: taskId };
  },
};

export const DescribeAddresses: ActionDefinition = {
  parameters: ["AddressIds", "Filters", "Offset", "Limit"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("AddressIds");
    for (const id of ids ?? []) {
      if (!isResourceId("eip", id))
        throw invalidParameterValue("AddressIds", id, "must be an EIP id (eip-xxxxxxxx)", "InvalidParameterValue.AddressIdMalformed");
    }
    const filters = readFilters(
      params,
      [
        "address-id",
        "address-name",
        "address-ip",
        "address-status",
        "instance-id",
        "private-ip-address",
        "network-interface-id",
        "is-arrears",
        "address-type",
        "instance-type",
        "dedicated-cluster-id",
        "business-type",
      ],
      "InvalidParameter.InvalidFilter",
      true,
    );
    const matching = Object.values(state.addresses).filter(
      (address) =>
        (!ids || ids.includes(address.addressId)) &&
        matchesFilters(
          address,
          filters,
          {
            "address-id": (a) => [a.addressId],
            "address-name": (a) => [a.name],
            "address-ip": (a) => [a.addressIp],
            "address-status": (a) => [a.status],
            "instance-id": (a) => (a.boundHavipId ? [a.boundHavipId] : []),
            "private-ip-address": (a) => (a.boundHavipId ? [state.havips[a.boundHavipId]?.vip ?? ""] : []),
            "network-interface-id": () => [],
            "is-arrears": () => ["false"],
            "address-type": () => ["EIP"],
            "instance-type": (a) => (a.boundHavipId ? ["HAVIP"] : []),
            "dedicated-cluster-id": () => [],
            // Every EIP here is an ordinary one: none belongs to a CDC.
            "business-type": () => [],
          },
          (a) => tagsOf(state, "eip", a.addressId),
        ),
    );
    return { TotalCount: matching.length, AddressSet: paginate(matching, params).map((address) => addressView(state, address)) };
  },
};

export const ModifyAddressAttribute: ActionDefinition = {
  parameters: ["AddressId", "AddressName", "EipDirectConnection"],
  handle({ cloud, params }) {
    const address = findAddress(cloud.store.state, params.requiredString("AddressId"));
    if (params.has("EipDirectConnection"))
      throw new ApiError("UnsupportedOperation.ModifyAddressAttribute", "EipDirectConnection is not supported by this local cloud.");
    const name = params.string("AddressName");
    if (name !== undefined) checkName(name, "AddressName");
    cloud.store.mutate((draft) => {
      if (name !== undefined) draft.addresses[address.addressId].name = name;
    });
    return {};
  },
};

export const ModifyAddressesBandwidth: ActionDefinition = {
  parameters: ["AddressIds", "InternetMaxBandwidthOut", "StartTime", "EndTime"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("AddressIds") ?? [];
    if (ids.length === 0) throw new ApiError("MissingParameter", "The request is missing the required parameter `AddressIds`.");
    const bandwidth = params.integer("InternetMaxBandwidthOut");
    if (bandwidth === undefined)
      throw new ApiError("MissingParameter", "The request is missing the required parameter `InternetMaxBandwidthOut`.");
    for (const id of ids) checkBandwidth(bandwidth, findAddress(state, id, "AddressIds").internetChargeType, "InternetMaxBandwidthOut");
    const taskId = cloud.store.mutate((draft) => {
      for (const id of ids) draft.addresses[id].bandwidth = bandwidth;
      const task = String(draft.nextTaskId++);
      draft.tasks[task] = { result: "SUCCESS" };
      return task;
    });
    return { TaskId: taskId };
  },
};

export const ReleaseAddresses: ActionDefinition = {
  parameters: ["AddressIds"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("AddressIds") ?? [];
    if (ids.length === 0) throw new ApiError("MissingParameter", "The request is missing the required parameter `AddressIds`.");
    for (const id of ids) {
      const address = findAddress(state, id, "AddressIds");
      if (address.status !== "UNBIND")
        throw new ApiError("InvalidAddressState", `The EIP ${id} is ${address.status}; only an UNBIND EIP can be released.`);
    }
    const taskId = cloud.store.mutate((draft) => {
      for (const id of ids) {
        delete draft.addresses[id];
        dropTags(draft, "eip", id);
      }
      const task = String(draft.nextTaskId++);
      draft.tasks[task] = { result: "SUCCESS" };
      return task;
    });
    return { TaskId: taskId };
  },
};

/** EIPs here are bound to HAVIPs only, which HaVipDisassociateAddressIp unbinds; DisassociateAddress serves CVM and ENI bindings. */
export const DisassociateAddress: ActionDefinition = {
  parameters: ["AddressId", "ReallocateNormalPublicIp"],
  handle({ cloud, params }) {
    const address = findAddress(cloud.store.state, params.requiredString("AddressId"));
    if (address.status === "UNBIND") throw new ApiError("InvalidAddressIdStatus.NotPermit", `The EIP ${address.addressId} is not bound.`);
    throw new ApiError(
      "UnsupportedOperation.AddressStatusNotPermit",
      `The EIP ${address.addressId} is bound to the HAVIP ${String(address.boundHavipId)}; unbind it with HaVipDisassociateAddressIp.`,
    );
  },
};

export const DescribeTaskResult: ActionDefinition = {
  parameters: ["TaskId", "DealName"],
  handle({ cloud, params }) {
    const taskId = params.integer("TaskId", { min: 0 });
    if (taskId === undefined) throw new ApiError("MissingParameter", "The request is missing the required parameter `TaskId`.");
    const task = cloud.store.state.tasks[String(taskId)];
    if (!task) throw new ApiError("InvalidParameter", `No task has the id ${taskId}.`);
    return { TaskId: taskId, Result: task.result };
  },
};

/** No bandwidth packages exist here: every EIP is billed on its own. */
export const DescribeBandwidthPackages: ActionDefinition = {
  parameters: ["BandwidthPackageIds", "Filters", "Offset", "Limit"],
  handle({ params }) {
    readFilters(
      params,
      [
        "bandwidth-package_id",
        "bandwidth-package-name",
        "network-type",
        "charge-type",
        "resource.resource-type",
        "resource.resource-id",
        "resource.address-ip",
      ],
      "InvalidParameter.FilterInvalidKey",
      true,
    );
    return { TotalCount: 0, BandwidthPackageSet: [] };
  },
};
