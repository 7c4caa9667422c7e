import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import { tagList, tagsOf } from "../../api/resource-tags";
import { ApiError, invalidParameterValue } from "../../server/api-error";
import type { CloudState, InstanceRecord } from "../../state/cloud-state";
import { isResourceId } from "../../state/resource-ids";
import { findSecurityGroup } from "../vpc/security-groups";
import { syncSecurityRules } from "../vpc/security-rules-sync";
import { findInstance } from "./cvm-lookups";
import { sweepFailedLaunches } from "./instance-operations";
import { instanceSize } from "./instance-types";
import { checkInstanceName, checkUserData } from "./run-instances";

export function instanceView(state: Readonly<CloudState>, instance: InstanceRecord) {
  const size = instanceSize(instance.instanceType);
  const disk = state.disks[instance.systemDiskId];
  return {
    Placement: { Zone: instance.zone, ProjectId: instance.projectId, HostIds: [] },
    InstanceId: instance.instanceId,
    InstanceType: instance.instanceType,
    CPU: size.cpu,
    Memory: size.memoryGiB,
    RestrictState: "NORMAL",
    InstanceName: instance.name,
    InstanceChargeType: "POSTPAID_BY_HOUR",
    SystemDisk: { DiskType: disk?.diskType ?? "", DiskId: instance.systemDiskId, DiskSize: disk?.diskSize ?? 0 },
    DataDisks: [],
    PrivateIpAddresses: [instance.privateIp],
    PublicIpAddresses: instance.publicIp === null ? [] : [instance.publicIp],
    InternetAccessible: {
      ...(instance.internetChargeType === null ? {} : { InternetChargeType: instance.internetChargeType }),
      InternetMaxBandwidthOut: instance.internetMaxBandwidthOut,
      PublicIpAssigned: instance.publicIp !== null,
    },
    VirtualPrivateCloud: {
      VpcId: instance.vpcId,
      SubnetId: instance.subnetId,
      AsVpcGateway: false,
      PrivateIpAddresses: [instance.privateIp],
    },
    ImageId: instance.imageId,
    CreatedTime: instance.createdTime,
    OsName: instance.osName,
    SecurityGroupIds: instance.securityGroupIds,
    LoginSettings: { KeyIds: instance.keyIds },
    InstanceState: instance.state,
    Tags: tagList(tagsOf(state, "instance", instance.instanceId)),
    StopChargingMode: "NOT_APPLICABLE",
    Uuid: instance.uuid,
    LatestOperation: instance.latestOperation,
    LatestOperationState: instance.latestOperationState,
    LatestOperationRequestId: instance.latestOperationRequestId,
    LatestOperationErrorMsg: instance.latestOperationErrorMsg ?? "",
    DisasterRecoverGroupId: instance.placementGroupId ?? "",
    CamRoleName: "",
    HpcClusterId: "",
    DisableApiTermination: instance.disableApiTermination,
    DefaultLoginUser: "root",
    DefaultLoginPort: 22,
  };
}

const INSTANCE_FILTERS = [
  "zone",
  "project-id",
  "instance-id",
  "instance-name",
  "instance-charge-type",
  "instance-state",
  "private-ip-address",
  "public-ip-address",
  "vpc-id",
  "subnet-id",
  "security-group-id",
  "instance-family",
  "image-id",
];

export const DescribeInstances: ActionDefinition = {
  parameters: ["InstanceIds", "Filters", "Offset", "Limit"],
  async handle({ cloud, params }) {
    await sweepFailedLaunches(cloud);
    const state = cloud.store.state;
    const ids = params.stringList("InstanceIds");
    const filters = readFilters(params, INSTANCE_FILTERS, "InvalidFilter", true);
    if (ids && filters.length > 0) throw new ApiError("InvalidParameterCombination", "InstanceIds and Filters cannot be given together.");
    if (ids && ids.length > 100)
      throw new ApiError("InvalidParameterValue.LimitExceeded", `At most 100 InstanceIds per request, got ${ids.length}.`);
    for (const id of ids ?? []) {
      if (!isResourceId("ins", id))
        throw new ApiError(
          "InvalidInstanceId.Malformed",
          `The value ${JSON.stringify(id)} of \`InstanceIds\` is not an instance id (ins-xxxxxxxx).`,
        );
    }
    const matching = Object.values(state.instances).filter(
      (instance) =>
        (!ids || ids.includes(instance.instanceId)) &&
        matchesFilters(
          instance,
          filters,
          {
            zone: (i) => [i.zone],
            "project-id": (i) => [String(i.projectId)],
            "instance-id": (i) => [i.instanceId],
            "instance-name": (i) => [i.name],
            "instance-charge-type": () => ["POSTPAID_BY_HOUR"],
            "instance-state": (i) => [i.state],
            "private-ip-address": (i) => [i.privateIp],
            "public-ip-address": (i) => (i.publicIp === null ? [] : [i.publicIp]),
            "vpc-id": (i) => [i.vpcId],
            "subnet-id": (i) => [i.subnetId],
            "security-group-id": (i) => i.securityGroupIds,
            "instance-family": (i) => [i.instanceType.split(".")[0]],
            "image-id": (i) => [i.imageId],
          },
          (i) => tagsOf(state, "instance", i.instanceId),
        ),
    );
    return { TotalCount: matching.length, InstanceSet: paginate(matching, params).map((instance) => instanceView(state, instance)) };
  },
};

export const DescribeInstancesAttributes: ActionDefinition = {
  parameters: ["Attributes", "InstanceIds"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const attributes = params.stringList("Attributes") ?? [];
    for (const attribute of attributes)
      if (attribute !== "UserData") throw invalidParameterValue("Attributes", attribute, "the attributes that can be read are: UserData");
    const ids = params.stringList("InstanceIds") ?? [];
    if (ids.length === 0) throw new ApiError("MissingParameter", "The request is missing the required parameter `InstanceIds`.");
    return {
      InstanceSet: ids.map((id) => {
        const instance = findInstance(state, id, "InstanceIds");
        return {
          InstanceId: id,
          Attributes: attributes.includes("UserData") && instance.userData !== null ? { UserData: instance.userData } : {},
        };
      }),
    };
  },
};

/** One attribute per call (ModifyInstancesAttribute): the name, the user data, the security groups or the termination protection. */
export const ModifyInstancesAttribute: ActionDefinition = {
  parameters: [
    "InstanceIds",
    "InstanceName",
    "UserData",
    "SecurityGroups",
    "CamRoleName",
    "HostName",
    "DisableApiTermination",
    "CamRoleType",
    "AutoReboot",
  ],
  async handle({ cloud, params, requestId }) {
    const state = cloud.store.state;
    const ids = params.stringList("InstanceIds") ?? [];
    if (ids.length === 0) throw new ApiError("MissingParameter", "The request is missing the required parameter `InstanceIds`.");
    const instances = ids.map((id) => findInstance(state, id, "InstanceIds"));
    const attributes = ["InstanceName", "UserData", "SecurityGroups", "CamRoleName", "HostName", "DisableApiTermination"].filter((name) =>
      params.has(name),
    );
    if (attributes.length !== 1)
      throw new ApiError(
        "InvalidParameter",
        `Give exactly one attribute to change per call, got ${attributes.length === 0 ? "none" : attributes.join(", ")}.`,
      );
    const [attribute] = attributes;
    if (attribute === "HostName" || attribute === "CamRoleName")
      throw new ApiError("UnsupportedOperation", `Changing \`${attribute}\` is not supported by this local cloud.`);
    const name = params.string("InstanceName");
    if (name !== undefined) checkInstanceName(name, "InstanceName");
    const userData = params.string("UserData");
    if (userData !== undefined) checkUserData(userData, "UserData");
    const groups = params.stringList("SecurityGroups");
    if (groups !== undefined) {
      if (groups.length === 0 || groups.length > 5)
        throw invalidParameterValue("SecurityGroups", groups, "an instance is in 1 to 5 security groups", "LimitExceeded.SingleUSGQuota");
      for (const id of groups) {
        try {
          findSecurityGroup(state, id, "SecurityGroups");
        } catch {
          throw new ApiError("InvalidSecurityGroupId.NotFound", `The security group \`${id}\` does not exist.`);
        }
      }
    }
    const protect = params.boolean("DisableApiTermination");
    for (const instance of instances) {
      if (instance.latestOperationState === "OPERATING") {
        throw new ApiError(
          "OperationDenied.InstanceOperationInProgress",
          `The instance ${instance.instanceId} is still busy with ${String(instance.latestOperation)}.`,
        );
      }
    }
    cloud.store.mutate((draft) => {
      for (const { instanceId } of instances) {
        const instance = draft.instances[instanceId];
        if (name !== undefined) instance.name = name;
        if (userData !== undefined) instance.userData = userData;
        if (groups !== undefined) instance.securityGroupIds = [...groups];
        if (protect !== undefined) instance.disableApiTermination = protect;
        instance.latestOperation = "ModifyInstancesAttribute";
        instance.latestOperationState = "SUCCESS";
        instance.latestOperationRequestId = requestId;
        instance.latestOperationErrorMsg = null;
      }
    });
    if (groups !== undefined) await syncSecurityRules(cloud);
    return {};
  },
};
