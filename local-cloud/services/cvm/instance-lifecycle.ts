import type { ActionDefinition } from "../../api/action";
import { ApiError, invalidParameterValue } from "../../server/api-error";
import type { InstanceRecord } from "../../state/cloud-state";
import { findInstance, findKeyPair, instancesFor } from "./cvm-lookups";
import { findPublishedImage } from "./images";
import { InstanceOperations } from "./instance-operations";
import { instanceSize } from "./instance-types";
import { checkUserData, INTERNET_CHARGE_TYPES, MAX_INSTANCE_BANDWIDTH } from "./run-instances";

const STOP_TYPES = ["SOFT", "HARD", "SOFT_FIRST"];

/** StopInstances: RUNNING -> STOPPING -> STOPPED. */
export const StopInstances: ActionDefinition = {
  parameters: ["InstanceIds", "ForceStop", "StopType", "StoppedMode"],
  handle({ cloud, params, requestId }) {
    const instances = instancesFor(cloud.store.state, params.stringList("InstanceIds"), ["RUNNING"], "StopInstances");
    const stopType = params.string("StopType") ?? "SOFT";
    if (!STOP_TYPES.includes(stopType)) throw invalidParameterValue("StopType", stopType, `must be one of ${STOP_TYPES.join(", ")}`);
    const mode = params.string("StoppedMode") ?? "KEEP_CHARGING";
    if (mode === "STOP_CHARGING")
      throw new ApiError(
        "UnsupportedOperation.StoppedModeStopCharging",
        "StoppedMode STOP_CHARGING is not supported by this local cloud (an instance keeps its resources when stopped).",
      );
    if (mode !== "KEEP_CHARGING") throw invalidParameterValue("StoppedMode", mode, "must be KEEP_CHARGING or STOP_CHARGING");
    const force = (params.boolean("ForceStop") ?? false) || stopType === "HARD";
    cloud.store.mutate((draft) => {
      for (const { instanceId } of instances)
        InstanceOperations.begin(draft, instanceId, "StopInstances", requestId, { kind: "stop", force }, "STOPPING");
    });
    for (const { instanceId } of instances) cloud.instanceOperations.start(cloud, instanceId);
    return {};
  },
};

/** StartInstances: STOPPED -> STARTING -> RUNNING. */
export const StartInstances: ActionDefinition = {
  parameters: ["InstanceIds"],
  handle({ cloud, params, requestId }) {
    const instances = instancesFor(cloud.store.state, params.stringList("InstanceIds"), ["STOPPED"], "StartInstances");
    cloud.store.mutate((draft) => {
      for (const { instanceId } of instances)
        InstanceOperations.begin(draft, instanceId, "StartInstances", requestId, { kind: "start" }, "STARTING");
    });
    for (const { instanceId } of instances) cloud.instanceOperations.start(cloud, instanceId);
    return {};
  },
};

/** RebootInstances: RUNNING -> REBOOTING -> RUNNING. */
export const RebootInstances: ActionDefinition = {
  parameters: ["InstanceIds", "ForceReboot", "StopType"],
  handle({ cloud, params, requestId }) {
    const instances = instancesFor(cloud.store.state, params.stringList("InstanceIds"), ["RUNNING"], "RebootInstances");
    const stopType = params.string("StopType") ?? "SOFT";
    if (!STOP_TYPES.includes(stopType)) throw invalidParameterValue("StopType", stopType, `must be one of ${STOP_TYPES.join(", ")}`);
    const force = (params.boolean("ForceReboot") ?? false) || stopType === "HARD";
    cloud.store.mutate((draft) => {
      for (const { instanceId } of instances)
        InstanceOperations.begin(draft, instanceId, "RebootInstances", requestId, { kind: "reboot", force }, "REBOOTING");
    });
    for (const { instanceId } of instances) cloud.instanceOperations.start(cloud, instanceId);
    return {};
  },
};

/**
 * ResetInstance: reinstalls the system disk from `ImageId` (or the current image): a running
 * instance is stopped, reinstalled and started again; a stopped one stays stopped. Keys, host
 * name and user data may be given anew.
 */
export const ResetInstance: ActionDefinition = {
  parameters: ["InstanceId", "ImageId", "SystemDisk", "LoginSettings", "EnhancedService", "HostName", "UserData"],
  async handle({ cloud, params, requestId }) {
    const [instance] = instancesFor(cloud.store.state, [params.requiredString("InstanceId")], ["RUNNING", "STOPPED"], "ResetInstance");
    const image = await findPublishedImage(cloud, params.string("ImageId") ?? instance.imageId);
    if (params.has("SystemDisk"))
      throw new ApiError("UnsupportedOperation", "`SystemDisk` (KMS encryption) is not supported by this local cloud.");
    const login = params.object("LoginSettings", ["Password", "KeyIds", "KeepImageLogin"]);
    if (login?.has("Password"))
      throw new ApiError("UnsupportedOperation", "`LoginSettings.Password` is not supported by this local cloud: log in with a key pair.");
    const keyIds = login?.stringList("KeyIds");
    for (const keyId of keyIds ?? [])
      findKeyPair(cloud.store.state, keyId, "LoginSettings.KeyIds", "InvalidParameterValue.KeyPairNotFound");
    params.object("EnhancedService", ["SecurityService", "MonitorService", "AutomationService"]);
    const hostName = params.string("HostName");
    const userData = params.string("UserData");
    if (userData !== undefined) checkUserData(userData, "UserData");
    cloud.store.mutate((draft) => {
      const target = draft.instances[instance.instanceId];
      if (keyIds !== undefined) target.keyIds = [...keyIds];
      if (hostName !== undefined) target.hostName = hostName;
      if (userData !== undefined) target.userData = userData;
      InstanceOperations.begin(
        draft,
        instance.instanceId,
        "ResetInstance",
        requestId,
        { kind: "reinstall", imageId: image.imageId, wasRunning: instance.state === "RUNNING" },
        instance.state === "RUNNING" ? "STOPPING" : "STOPPED",
      );
    });
    cloud.instanceOperations.start(cloud, instance.instanceId);
    return {};
  },
};

/** ResetInstancesType: a running instance is shut down (forced if the soft shutdown fails and ForceStop), resized and shown RUNNING when done; one instance per call. */
export const ResetInstancesType: ActionDefinition = {
  parameters: ["InstanceIds", "InstanceType", "ForceStop"],
  handle({ cloud, params, requestId }) {
    const ids = params.stringList("InstanceIds");
    if (ids && ids.length > 1)
      throw new ApiError("InvalidParameterValue.LimitExceeded", "ResetInstancesType changes one instance per call.");
    const [instance] = instancesFor(cloud.store.state, ids, ["RUNNING", "STOPPED"], "ResetInstancesType");
    const instanceType = params.requiredString("InstanceType");
    instanceSize(instanceType);
    if (instanceType === instance.instanceType)
      throw invalidParameterValue("InstanceType", instanceType, `the instance ${instance.instanceId} already has this type`);
    const force = params.boolean("ForceStop") ?? false;
    cloud.store.mutate((draft) => {
      InstanceOperations.begin(
        draft,
        instance.instanceId,
        "ResetInstancesType",
        requestId,
        { kind: "resize", instanceType, force },
        instance.state === "RUNNING" ? "STOPPING" : "STOPPED",
      );
    });
    cloud.instanceOperations.start(cloud, instance.instanceId);
    return {};
  },
};

/** Key operations need a stopped instance, or ForceStop: then a running one is stopped, changed and started again. */
function keyChange(
  action: string,
  change: (current: readonly string[], given: readonly string[], instance: InstanceRecord) => string[],
): ActionDefinition {
  return {
    parameters: ["InstanceIds", "KeyIds", "ForceStop"],
    handle({ cloud, params, requestId }) {
      const force = params.boolean("ForceStop") ?? false;
      const instances = instancesFor(
        cloud.store.state,
        params.stringList("InstanceIds"),
        force ? ["RUNNING", "STOPPED"] : ["STOPPED"],
        action,
      );
      const keyIds = params.stringList("KeyIds") ?? [];
      if (keyIds.length === 0) throw new ApiError("MissingParameter", "The request is missing the required parameter `KeyIds`.");
      for (const keyId of keyIds) findKeyPair(cloud.store.state, keyId, "KeyIds");
      cloud.store.mutate((draft) => {
        for (const instance of instances) {
          const next = change(instance.keyIds, keyIds, instance);
          const wasRunning = instance.state === "RUNNING";
          InstanceOperations.begin(
            draft,
            instance.instanceId,
            action,
            requestId,
            { kind: "set-keys", keyIds: next, wasRunning, force },
            wasRunning ? "STOPPING" : "STOPPED",
          );
        }
      });
      for (const { instanceId } of instances) cloud.instanceOperations.start(cloud, instanceId);
      return {};
    },
  };
}

/** AssociateInstancesKeyPairs: "if the instance had keys before, they no longer work": the given keys replace them. */
export const AssociateInstancesKeyPairs = keyChange("AssociateInstancesKeyPairs", (_current, given) => [...new Set(given)]);

export const DisassociateInstancesKeyPairs = keyChange("DisassociateInstancesKeyPairs", (current, given, instance) => {
  const missing = given.filter((keyId) => !current.includes(keyId));
  if (missing.length > 0)
    throw new ApiError("InvalidParameterValue", `The key pairs ${missing.join(", ")} are not authorized on ${instance.instanceId}.`);
  return current.filter((keyId) => !given.includes(keyId));
});

/** TerminateInstances: a pay-as-you-go instance is destroyed at once (no recycle bin): TERMINATING, then gone with its disk and its addresses. */
export const TerminateInstances: ActionDefinition = {
  parameters: ["InstanceIds", "ReleaseAddress", "ReleasePrepaidDataDisks"],
  handle({ cloud, params, requestId }) {
    const instances = instancesFor(cloud.store.state, params.stringList("InstanceIds"), ["RUNNING", "STOPPED"], "TerminateInstances");
    const protectedOnes = instances.filter((instance) => instance.disableApiTermination);
    if (protectedOnes.length > 0) {
      throw new ApiError(
        "UnsupportedOperation.InstancesProtected",
        `Termination protection is on for ${protectedOnes.map((instance) => instance.instanceId).join(", ")}.`,
      );
    }
    cloud.store.mutate((draft) => {
      for (const { instanceId } of instances)
        InstanceOperations.begin(draft, instanceId, "TerminateInstances", requestId, { kind: "terminate" }, "TERMINATING");
    });
    for (const { instanceId } of instances) cloud.instanceOperations.start(cloud, instanceId);
    return {};
  },
};

/** Public bandwidth of instances that have a public IP; done at once. */
export const ResetInstancesInternetMaxBandwidth: ActionDefinition = {
  parameters: ["InstanceIds", "InternetAccessible", "StartTime", "EndTime"],
  handle({ cloud, params, requestId }) {
    const instances = instancesFor(
      cloud.store.state,
      params.stringList("InstanceIds"),
      ["RUNNING", "STOPPED"],
      "ResetInstancesInternetMaxBandwidth",
    );
    const internet = params.object("InternetAccessible", [
      "InternetChargeType",
      "InternetMaxBandwidthOut",
      "PublicIpAssigned",
      "BandwidthPackageId",
      "InternetServiceProvider",
    ]);
    if (!internet) throw new ApiError("MissingParameter", "The request is missing the required parameter `InternetAccessible`.");
    const bandwidth = internet.integer("InternetMaxBandwidthOut", { min: 1, max: MAX_INSTANCE_BANDWIDTH });
    if (bandwidth === undefined)
      throw new ApiError("MissingParameter", "The request is missing the required parameter `InternetAccessible.InternetMaxBandwidthOut`.");
    const chargeType = internet.string("InternetChargeType");
    if (chargeType !== undefined && !INTERNET_CHARGE_TYPES.includes(chargeType)) {
      throw invalidParameterValue(
        "InternetAccessible.InternetChargeType",
        chargeType,
        `must be one of ${INTERNET_CHARGE_TYPES.join(", ")}`,
      );
    }
    const withoutIp = instances.filter((instance) => instance.publicIp === null);
    if (withoutIp.length > 0)
      throw new ApiError("InvalidParameterValue", `${withoutIp.map((instance) => instance.instanceId).join(", ")} have no public IP.`);
    cloud.store.mutate((draft) => {
      for (const { instanceId } of instances) {
        const instance = draft.instances[instanceId];
        instance.internetMaxBandwidthOut = bandwidth;
        if (chargeType !== undefined) instance.internetChargeType = chargeType;
        instance.latestOperation = "ResetInstancesInternetMaxBandwidth";
        instance.latestOperationState = "SUCCESS";
        instance.latestOperationRequestId = requestId;
      }
    });
    return {};
  },
};

/** Grows the system disk (its type stays); done at once. */
export const ResizeInstanceDisks: ActionDefinition = {
  parameters: ["InstanceId", "DataDisks", "ForceStop", "SystemDisk", "ResizeOnline"],
  handle({ cloud, params, requestId }) {
    const instance = findInstance(cloud.store.state, params.requiredString("InstanceId"));
    instancesFor(cloud.store.state, [instance.instanceId], ["RUNNING", "STOPPED"], "ResizeInstanceDisks");
    if ((params.objectList("DataDisks", ["DiskType", "DiskId", "DiskSize"]) ?? []).length > 0)
      throw new ApiError("UnsupportedOperation", "This local cloud has no data disks.");
    const disk = params.object("SystemDisk", ["DiskType", "DiskId", "DiskSize", "CdcId", "DiskName", "Encrypt", "KmsKeyId"]);
    if (!disk) throw new ApiError("MissingParameter.AtLeastOne", "Give `SystemDisk` with the new `DiskSize`.");
    const current = cloud.store.state.disks[instance.systemDiskId];
    const size = disk.integer("DiskSize", { min: 20, max: 1024 }) ?? current.diskSize;
    if (size < current.diskSize) throw invalidParameterValue("SystemDisk.DiskSize", size, `a disk only grows (now ${current.diskSize} GB)`);
    const type = disk.string("DiskType") ?? current.diskType;
    if (type !== current.diskType)
      throw new ApiError(
        "UnsupportedOperation",
        `Changing the system disk type (${current.diskType} to ${type}) is not supported by this local cloud.`,
      );
    cloud.store.mutate((draft) => {
      draft.disks[instance.systemDiskId].diskSize = size;
      const target = draft.instances[instance.instanceId];
      target.latestOperation = "ResizeInstanceDisks";
      target.latestOperationState = "SUCCESS";
      target.latestOperationRequestId = requestId;
    });
    return {};
  },
};
