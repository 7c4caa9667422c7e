import { randomUUID } from "node:crypto";
import type { ActionDefinition } from "../../api/action";
import type { Params } from "../../api/params";
import { readCvmTagSpecification, setTags } from "../../api/resource-tags";
import { addressText, assignableAddresses, blockContains, parseIpv4, reservedRole } from "../../network/ipv4-block";
import { ApiError, invalidParameterValue } from "../../server/api-error";
import { isoNow } from "../../state/api-time";
import type { CloudState, InstanceRecord } from "../../state/cloud-state";
import { newResourceId } from "../../state/resource-ids";
import { allocatePublicAddress } from "../vpc/public-addresses";
import { findSecurityGroup } from "../vpc/security-groups";
import { addressUsers, subnetBlock } from "../vpc/vpc-lookups";
import { findKeyPair } from "./cvm-lookups";
import { findPublishedImage } from "./images";
import { InstanceOperations, sweepFailedLaunches } from "./instance-operations";
import { instanceSize } from "./instance-types";
import { defaultHostName } from "./machine-spec";
import { findPlacementGroup, PLACEMENT_GROUP_CAPACITY, placementGroupMembers } from "./placement-groups";

export const INSTANCE_NAME_MAX_LENGTH = 60;
/** RunInstances' defaults: S1.SMALL1, a 50 GB CLOUD_BSSD system disk. */
const DEFAULT_INSTANCE_TYPE = "S1.SMALL1";
const DEFAULT_SYSTEM_DISK = { type: "CLOUD_BSSD", sizeGiB: 50 };
/** Linux system disks: 20-1024 GB. */
const SYSTEM_DISK_MIN_GIB = 20;
const SYSTEM_DISK_MAX_GIB = 1024;
const SYSTEM_DISK_TYPES = ["CLOUD_BASIC", "CLOUD_PREMIUM", "CLOUD_SSD", "CLOUD_BSSD", "CLOUD_HSSD", "CLOUD_TSSD"];
export const INTERNET_CHARGE_TYPES = ["TRAFFIC_POSTPAID_BY_HOUR", "BANDWIDTH_POSTPAID_BY_HOUR", "BANDWIDTH_PREPAID"];
/** Public bandwidth of a CVM: up to 200 Mbit/s billed by traffic. */
export const MAX_INSTANCE_BANDWIDTH = 200;
/** User data: at most 16 KB of base64. */
export const USER_DATA_MAX_BYTES = 16 * 1024;
/** Tencent lets one key pair be chosen when an instance is bought. */
const MAX_KEYS_AT_LAUNCH = 1;
const MAX_SECURITY_GROUPS = 5;

export function checkUserData(userData: string, parameter: string): string {
  if (userData.length > USER_DATA_MAX_BYTES || !/^[A-Za-z0-9+/]*={0,2}$/.test(userData) || userData.length % 4 !== 0) {
    throw new ApiError(
      "InvalidParameterValue.InvalidUserDataFormat",
      `\`${parameter}\` must be base64 of at most ${USER_DATA_MAX_BYTES} bytes.`,
    );
  }
  return userData;
}

export function checkInstanceName(name: string, parameter: string): string {
  if (name.length > INSTANCE_NAME_MAX_LENGTH)
    throw new ApiError("InvalidInstanceName.TooLong", `\`${parameter}\` is longer than ${INSTANCE_NAME_MAX_LENGTH} characters.`);
  return name;
}

/** The private address of a new instance: the one asked for, checked against the subnet, or the lowest free one. */
function choosePrivateIp(state: Readonly<CloudState>, subnetId: string, wanted: string | undefined): string {
  const subnet = state.subnets[subnetId];
  const block = subnetBlock(subnet);
  const used = new Set(addressUsers(state, subnetId).map((user) => user.address));
  if (wanted === undefined) {
    for (const address of assignableAddresses(block)) if (!used.has(addressText(address))) return addressText(address);
    throw new ApiError("FailedOperation.NoAvailableIpAddressCountInSubnet", `The subnet ${subnetId} has no free address left.`);
  }
  const address = parseIpv4(wanted);
  if (address === undefined)
    throw invalidParameterValue(
      "VirtualPrivateCloud.PrivateIpAddresses",
      wanted,
      "must be an IPv4 address",
      "InvalidParameterValue.IPAddressMalformed",
    );
  if (!blockContains(block, address))
    throw new ApiError("VpcAddrNotInSubNet", `The address ${wanted} is not in the subnet ${subnetId} (${subnet.cidrBlock}).`);
  const role = reservedRole(block, address);
  if (role)
    throw invalidParameterValue(
      "VirtualPrivateCloud.PrivateIpAddresses",
      wanted,
      `is ${role} of ${subnet.cidrBlock}, which Tencent keeps for itself`,
    );
  if (used.has(wanted)) throw new ApiError("VpcIpIsUsed", `The address ${wanted} is already used in the subnet ${subnetId}.`);
  return wanted;
}

function readSystemDisk(params: Params) {
  const disk = params.object("SystemDisk", ["DiskType", "DiskId", "DiskSize", "CdcId", "DiskName", "Encrypt", "KmsKeyId"]);
  const type = disk?.string("DiskType") ?? DEFAULT_SYSTEM_DISK.type;
  if (!SYSTEM_DISK_TYPES.includes(type))
    throw invalidParameterValue("SystemDisk.DiskType", type, `must be one of ${SYSTEM_DISK_TYPES.join(", ")}`);
  const sizeGiB = disk?.integer("DiskSize") ?? DEFAULT_SYSTEM_DISK.sizeGiB;
  if (sizeGiB < SYSTEM_DISK_MIN_GIB || sizeGiB > SYSTEM_DISK_MAX_GIB) {
    throw invalidParameterValue(
      "SystemDisk.DiskSize",
      sizeGiB,
      `must be ${SYSTEM_DISK_MIN_GIB}-${SYSTEM_DISK_MAX_GIB} GB`,
      "InvalidParameterValue.Range",
    );
  }
  if (disk?.boolean("Encrypt") || disk?.has("KmsKeyId") || disk?.has("DiskId") || disk?.has("CdcId")) {
    throw new ApiError("UnsupportedOperation", "Encrypted, existing or CDC system disks are not supported by this local cloud.");
  }
  return { type, sizeGiB, name: disk?.string("DiskName") };
}

function readInternet(params: Params) {
  const internet = params.object("InternetAccessible", [
    "InternetChargeType",
    "InternetMaxBandwidthOut",
    "PublicIpAssigned",
    "BandwidthPackageId",
    "InternetServiceProvider",
    "IPv4AddressType",
    "IPv6AddressType",
    "AntiDDoSPackageId",
  ]);
  if (!internet) return { chargeType: null, bandwidth: 0, publicIp: false };
  for (const unsupported of ["BandwidthPackageId", "IPv4AddressType", "IPv6AddressType", "AntiDDoSPackageId"]) {
    if (internet.has(unsupported))
      throw new ApiError("UnsupportedOperation", `\`${internet.name(unsupported)}\` is not supported by this local cloud.`);
  }
  const chargeType = internet.string("InternetChargeType") ?? null;
  if (chargeType !== null && !INTERNET_CHARGE_TYPES.includes(chargeType)) {
    throw invalidParameterValue(internet.name("InternetChargeType"), chargeType, `must be one of ${INTERNET_CHARGE_TYPES.join(", ")}`);
  }
  const bandwidth = internet.integer("InternetMaxBandwidthOut", { min: 0, max: MAX_INSTANCE_BANDWIDTH }) ?? 0;
  // Tencent assigns a public IP when there is bandwidth, unless told not to.
  const publicIp = internet.boolean("PublicIpAssigned") ?? bandwidth > 0;
  if (publicIp && bandwidth === 0) {
    throw new ApiError(
      "InvalidParameterCombination",
      "A public IP (`InternetAccessible.PublicIpAssigned`) needs `InternetAccessible.InternetMaxBandwidthOut` of at least 1 Mbit/s.",
    );
  }
  return { chargeType, bandwidth, publicIp };
}

const RUN_PARAMETERS = [
  "InstanceChargeType",
  "Placement",
  "InstanceType",
  "ImageId",
  "SystemDisk",
  "DataDisks",
  "VirtualPrivateCloud",
  "InternetAccessible",
  "InstanceCount",
  "InstanceName",
  "LoginSettings",
  "SecurityGroupIds",
  "EnhancedService",
  "ClientToken",
  "HostName",
  "DisasterRecoverGroupIds",
  "TagSpecification",
  "UserData",
  "DryRun",
  "DisableApiTermination",
];

/**
 * RunInstances: one pay-as-you-go instance in a VPC subnet, at the address asked for or the lowest
 * free one. It answers at once with the instance PENDING; it becomes RUNNING when the host has
 * booted the machine (LAUNCH_FAILED if it could not).
 */
export const RunInstances: ActionDefinition = {
  parameters: RUN_PARAMETERS,
  async handle({ cloud, params, requestId }) {
    await sweepFailedLaunches(cloud);
    const clientToken = params.string("ClientToken") ?? null;
    const earlier =
      clientToken === null
        ? undefined
        : Object.values(cloud.store.state.instances).find((instance) => instance.clientToken === clientToken);
    if (earlier) return { InstanceIdSet: [earlier.instanceId] };

    const chargeType = params.string("InstanceChargeType") ?? "POSTPAID_BY_HOUR";
    if (chargeType !== "POSTPAID_BY_HOUR")
      throw new ApiError(
        "UnsupportedOperation.InstanceChargeType",
        `InstanceChargeType ${chargeType}: this local cloud sells pay-as-you-go (POSTPAID_BY_HOUR) instances only.`,
      );
    const count = params.integer("InstanceCount", { min: 1, max: 100 }) ?? 1;
    if (count !== 1)
      throw new ApiError("UnsupportedOperation", "This local cloud launches one instance per RunInstances call (`InstanceCount` 1).");
    if (
      (
        params.objectList("DataDisks", [
          "DiskType",
          "DiskId",
          "DiskSize",
          "DeleteWithInstance",
          "SnapshotId",
          "Encrypt",
          "KmsKeyId",
          "ThroughputPerformance",
          "CdcId",
          "BurstPerformance",
          "DiskName",
        ]) ?? []
      ).length > 0
    ) {
      throw new ApiError("UnsupportedOperation", "Data disks (`DataDisks`) are not supported by this local cloud: the system disk only.");
    }

    const placement = params.object("Placement", [
      "Zone",
      "ProjectId",
      "HostIds",
      "HostId",
      "DedicatedResourcePackTenancy",
      "DedicatedResourcePackIds",
    ]);
    if (!placement) throw new ApiError("MissingParameter", "The request is missing the required parameter `Placement`.");
    const zone = placement.requiredString("Zone");
    if (!cloud.config.zones.includes(zone))
      throw invalidParameterValue(
        "Placement.Zone",
        zone,
        `this region (${cloud.config.region}) has the zones ${cloud.config.zones.join(", ")}`,
        "InvalidParameterValue.ZoneNotSupported",
      );
    const projectId = placement.integer("ProjectId") ?? 0;
    if (projectId !== 0)
      throw new ApiError(
        "InvalidProjectId.NotFound",
        `The project ${projectId} does not exist; this local cloud has only the default project 0.`,
      );
    for (const unsupported of ["HostIds", "HostId", "DedicatedResourcePackTenancy", "DedicatedResourcePackIds"]) {
      if (placement.has(unsupported))
        throw new ApiError(
          "UnsupportedOperation",
          `\`${placement.name(unsupported)}\` (dedicated hosts) is not supported by this local cloud.`,
        );
    }

    const instanceType = params.string("InstanceType") ?? DEFAULT_INSTANCE_TYPE;
    instanceSize(instanceType);
    const image = await findPublishedImage(cloud, params.requiredString("ImageId"));
    const systemDisk = readSystemDisk(params);
    if (systemDisk.sizeGiB < image.imageSizeGiB) {
      throw invalidParameterValue(
        "SystemDisk.DiskSize",
        systemDisk.sizeGiB,
        `must be at least the image's size, ${image.imageSizeGiB} GB`,
        "InvalidParameterValue.Range",
      );
    }

    const state = cloud.store.state;
    const network = params.object("VirtualPrivateCloud", ["VpcId", "SubnetId", "AsVpcGateway", "PrivateIpAddresses", "Ipv6AddressCount"]);
    if (!network)
      throw new ApiError(
        "MissingParameter",
        "The request is missing the required parameter `VirtualPrivateCloud`: this local cloud has no classic network.",
      );
    const vpcId = network.requiredString("VpcId");
    if (!state.vpcs[vpcId]) throw new ApiError("InvalidParameterValue.VpcIdNotExist", `The VPC \`${vpcId}\` does not exist.`);
    const subnetId = network.requiredString("SubnetId");
    const subnet = state.subnets[subnetId];
    if (!subnet) throw new ApiError("InvalidParameterValue.SubnetNotExist", `The subnet \`${subnetId}\` does not exist.`);
    if (subnet.vpcId !== vpcId)
      throw new ApiError("InvalidParameterValue.VpcIdSubnetIdNotMatch", `The subnet ${subnetId} is not in the VPC ${vpcId}.`);
    if (subnet.zone !== zone)
      throw new ApiError("InvalidParameterValue.SubnetIdZoneIdNotMatch", `The subnet ${subnetId} is in ${subnet.zone}, not in ${zone}.`);
    if (network.boolean("AsVpcGateway"))
      throw new ApiError("UnsupportedOperation", "`VirtualPrivateCloud.AsVpcGateway` is not supported by this local cloud.");
    if ((network.integer("Ipv6AddressCount") ?? 0) > 0)
      throw new ApiError("InvalidParameterValue.VpcNotSupportIpv6Address", "The VPCs of this local cloud have no IPv6 block.");
    const wantedIps = network.stringList("PrivateIpAddresses") ?? [];
    if (wantedIps.length > count)
      throw invalidParameterValue(
        "VirtualPrivateCloud.PrivateIpAddresses",
        wantedIps,
        `must name at most one address per instance (${count})`,
      );
    const privateIp = choosePrivateIp(state, subnetId, wantedIps[0]);

    const internet = readInternet(params);
    const login = params.object("LoginSettings", ["Password", "KeyIds", "KeepImageLogin"]);
    if (login?.has("Password"))
      throw new ApiError(
        "UnsupportedOperation",
        "`LoginSettings.Password` is not supported by this local cloud: log in with a key pair (`LoginSettings.KeyIds`).",
      );
    if (login?.string("KeepImageLogin") === "TRUE")
      throw new ApiError(
        "UnsupportedOperation",
        "`LoginSettings.KeepImageLogin` TRUE: the public images here carry no login of their own.",
      );
    const keyIds = login?.stringList("KeyIds") ?? [];
    if (keyIds.length > MAX_KEYS_AT_LAUNCH)
      throw invalidParameterValue(
        "LoginSettings.KeyIds",
        keyIds,
        `at most ${MAX_KEYS_AT_LAUNCH} key pair can be given at launch`,
        "InvalidParameterValue.LimitExceeded",
      );
    for (const keyId of keyIds) findKeyPair(state, keyId, "LoginSettings.KeyIds", "InvalidParameterValue.KeyPairNotFound");

    const securityGroupIds = params.stringList("SecurityGroupIds") ?? [];
    if (securityGroupIds.length > MAX_SECURITY_GROUPS)
      throw new ApiError("LimitExceeded.SingleUSGQuota", `An instance can be in at most ${MAX_SECURITY_GROUPS} security groups.`);
    for (const id of securityGroupIds) {
      try {
        findSecurityGroup(state, id, "SecurityGroupIds");
      } catch {
        throw new ApiError("InvalidSecurityGroupId.NotFound", `The security group \`${id}\` does not exist.`);
      }
    }
    const placementGroups = params.stringList("DisasterRecoverGroupIds") ?? [];
    if (placementGroups.length > 1)
      throw invalidParameterValue(
        "DisasterRecoverGroupIds",
        placementGroups,
        "an instance can be in one placement group",
        "InvalidParameterValue.LimitExceeded",
      );
    const placementGroupId = placementGroups[0] ?? null;
    if (placementGroupId !== null) {
      const group = findPlacementGroup(state, placementGroupId, "DisasterRecoverGroupIds", "FailedOperation.DisasterRecoverGroupNotFound");
      if (placementGroupMembers(state, placementGroupId).length >= PLACEMENT_GROUP_CAPACITY[group.type]) {
        throw new ApiError(
          "ResourceInsufficient.DisasterRecoverGroupCvmQuota",
          `The placement group ${placementGroupId} is full (${PLACEMENT_GROUP_CAPACITY[group.type]} instances).`,
        );
      }
    }
    const name = checkInstanceName(params.string("InstanceName") ?? "Unnamed", "InstanceName");
    const hostName = params.string("HostName") ?? defaultHostName(privateIp, image.platform);
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,58}[A-Za-z0-9])?$/.test(hostName) || hostName.includes("..")) {
      throw new ApiError(
        "InvalidParameterValue.IllegalHostName",
        `\`HostName\` ${JSON.stringify(hostName)} must be 2-60 letters, digits, dots and dashes, not starting or ending with a dot or dash.`,
      );
    }
    const userData = params.string("UserData");
    if (userData !== undefined) checkUserData(userData, "UserData");
    const tags = readCvmTagSpecification(params, "instance");
    params.object("EnhancedService", ["SecurityService", "MonitorService", "AutomationService"]);
    if (params.boolean("DryRun")) throw new ApiError("DryRunOperation", "The request would have succeeded (DryRun).");

    const instanceId = cloud.store.mutate((draft) => {
      const id = newResourceId("ins", (candidate) => candidate in draft.instances);
      const diskId = newResourceId("disk", (candidate) => candidate in draft.disks);
      const now = isoNow(cloud.now());
      const record: InstanceRecord = {
        instanceId: id,
        name,
        instanceType,
        zone,
        projectId,
        imageId: image.imageId,
        osName: image.osName,
        vpcId,
        subnetId,
        privateIp,
        networkInterfaceId: newResourceId("eni", (candidate) =>
          Object.values(draft.instances).some((instance) => instance.networkInterfaceId === candidate),
        ),
        publicIp: internet.publicIp ? allocatePublicAddress(draft, cloud.config, "ResourcesSoldOut.EipInsufficient") : null,
        internetChargeType: internet.chargeType,
        internetMaxBandwidthOut: internet.bandwidth,
        securityGroupIds,
        keyIds,
        placementGroupId,
        systemDiskId: diskId,
        hostName,
        userData: userData ?? null,
        disableApiTermination: params.boolean("DisableApiTermination") ?? false,
        uuid: randomUUID(),
        createdTime: now,
        state: "PENDING",
        latestOperation: null,
        latestOperationState: null,
        latestOperationRequestId: null,
        latestOperationErrorMsg: null,
        launchFailedTime: null,
        operation: null,
        clientToken,
      };
      draft.instances[id] = record;
      draft.disks[diskId] = {
        diskId,
        diskName: systemDisk.name ?? `${id}_SYSTEM_DISK`,
        diskType: systemDisk.type,
        diskSize: systemDisk.sizeGiB,
        zone,
        instanceId: id,
        createTime: now,
      };
      setTags(draft, "instance", id, tags);
      setTags(draft, "disk", diskId, tags);
      InstanceOperations.begin(draft, id, "RunInstances", requestId, { kind: "launch" }, "PENDING");
      return id;
    });
    cloud.instanceOperations.start(cloud, instanceId);
    return { InstanceIdSet: [instanceId] };
  },
};
