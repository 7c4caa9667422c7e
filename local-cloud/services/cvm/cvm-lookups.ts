import { ApiError } from "../../server/api-error";
import type { CloudState, InstanceRecord, InstanceState, KeyPairRecord } from "../../state/cloud-state";
import { isResourceId } from "../../state/resource-ids";

export function findInstance(state: Readonly<CloudState>, instanceId: string, parameter = "InstanceId"): InstanceRecord {
  if (!isResourceId("ins", instanceId)) {
    throw new ApiError(
      "InvalidInstanceId.Malformed",
      `The value ${JSON.stringify(instanceId)} of \`${parameter}\` is not an instance id (ins-xxxxxxxx).`,
    );
  }
  const instance = state.instances[instanceId];
  if (!instance) throw new ApiError("InvalidInstanceId.NotFound", `The instance \`${instanceId}\` does not exist.`);
  return instance;
}

export function findKeyPair(
  state: Readonly<CloudState>,
  keyId: string,
  parameter = "KeyId",
  notFoundCode = "InvalidKeyPairId.NotFound",
): KeyPairRecord {
  if (!isResourceId("skey", keyId)) {
    throw new ApiError(
      "InvalidKeyPairId.Malformed",
      `The value ${JSON.stringify(keyId)} of \`${parameter}\` is not a key pair id (skey-xxxxxxxx).`,
    );
  }
  const keyPair = state.keyPairs[keyId];
  if (!keyPair) throw new ApiError(notFoundCode, `The key pair \`${keyId}\` does not exist.`);
  return keyPair;
}

/** Tencent's error for an operation an instance's state does not allow: `UnsupportedOperation.InstanceStateRunning` and so on. */
export function wrongInstanceState(instance: InstanceRecord, action: string): ApiError {
  const pascal = instance.state
    .toLowerCase()
    .split("_")
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join("");
  return new ApiError(
    `UnsupportedOperation.InstanceState${pascal}`,
    `The instance ${instance.instanceId} is ${instance.state}; ${action} is not possible in that state.`,
  );
}

/**
 * The instances an operation names: at most 100, each existing, none with an operation in
 * progress (`OperationDenied.InstanceOperationInProgress`), each in one of `allowed` states.
 */
export function instancesFor(
  state: Readonly<CloudState>,
  ids: readonly string[] | undefined,
  allowed: readonly InstanceState[],
  action: string,
): InstanceRecord[] {
  if (!ids || ids.length === 0) throw new ApiError("MissingParameter", "The request is missing the required parameter `InstanceIds`.");
  if (ids.length > 100) throw new ApiError("InvalidParameterValue.LimitExceeded", `At most 100 instances per request, got ${ids.length}.`);
  return ids.map((id) => {
    const instance = findInstance(state, id, "InstanceIds");
    if (instance.latestOperationState === "OPERATING") {
      throw new ApiError(
        "OperationDenied.InstanceOperationInProgress",
        `The instance ${id} is still busy with ${String(instance.latestOperation)}.`,
      );
    }
    if (!allowed.includes(instance.state)) throw wrongInstanceState(instance, action);
    return instance;
  });
}
