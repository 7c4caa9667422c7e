import type { CloudContext } from "../../api/cloud-context";
import { dropTags } from "../../api/resource-tags";
import { isoNow } from "../../state/api-time";
import type { CloudState, InstanceOperation, InstanceRecord, InstanceState } from "../../state/cloud-state";
import { dropStaleBindings } from "../vpc/havip-binding";
import { syncSecurityRules } from "../vpc/security-rules-sync";
import { machineSpec } from "./machine-spec";

/** Tencent removes a LAUNCH_FAILED instance by itself some time after the failure; here after five minutes. */
export const LAUNCH_FAILED_RETENTION_MS = 5 * 60_000;

/**
 * Runs instance operations in the background, as Tencent does: the call that starts one returns
 * at once with the instance in a transitional state and `LatestOperationState: OPERATING`; the
 * host does the work; the state moves on as each step completes (each change written to the
 * state file) and ends in SUCCESS or FAILED. A restarted local cloud carries unfinished
 * operations to their end (`resumeAll`).
 */
export class InstanceOperations {
  private readonly running = new Map<string, Promise<void>>();

  /** Records `operation` on the instance (in the caller's mutation) as `action` of `requestId`, in `transitional` state. */
  static begin(
    draft: CloudState,
    instanceId: string,
    action: string,
    requestId: string,
    operation: InstanceOperation,
    transitional: InstanceState,
  ): void {
    const instance = draft.instances[instanceId];
    instance.operation = operation;
    instance.state = transitional;
    instance.latestOperation = action;
    instance.latestOperationState = "OPERATING";
    instance.latestOperationRequestId = requestId;
    instance.latestOperationErrorMsg = null;
  }

  /** Runs the recorded operation of the instance (once; a second call while it runs is ignored). */
  start(cloud: CloudContext, instanceId: string): void {
    if (this.running.has(instanceId)) return;
    const run = runOperation(cloud, instanceId).finally(() => this.running.delete(instanceId));
    this.running.set(instanceId, run);
  }

  /** Carries on every operation the state file says is unfinished. */
  resumeAll(cloud: CloudContext): void {
    for (const instance of Object.values(cloud.store.state.instances)) if (instance.operation) this.start(cloud, instance.instanceId);
  }

  /** Resolves when no operation runs (for a clean shutdown and for tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}

function update(cloud: CloudContext, instanceId: string, change: (instance: InstanceRecord, draft: CloudState) => void): void {
  cloud.store.mutate((draft) => {
    const instance = draft.instances[instanceId];
    if (instance) change(instance, draft);
  });
}

function finish(
  cloud: CloudContext,
  instanceId: string,
  state: InstanceState,
  change: (instance: InstanceRecord) => void = () => {},
): void {
  update(cloud, instanceId, (instance) => {
    change(instance);
    instance.state = state;
    instance.operation = null;
    instance.latestOperationState = "SUCCESS";
  });
}

/** Removes a terminated instance with its disk, tags, HAVIP associations and key authorizations. */
export function removeInstance(draft: CloudState, instanceId: string, now: string): void {
  const instance = draft.instances[instanceId];
  if (!instance) return;
  delete draft.disks[instance.systemDiskId];
  dropTags(draft, "disk", instance.systemDiskId);
  dropTags(draft, "instance", instanceId);
  delete draft.instances[instanceId];
  for (const havip of Object.values(draft.havips))
    havip.associations = havip.associations.filter((association) => association.instanceId !== instanceId);
  dropStaleBindings(draft, now);
}

async function runOperation(cloud: CloudContext, instanceId: string): Promise<void> {
  const initial = cloud.store.state.instances[instanceId];
  const operation = initial?.operation;
  if (!initial || !operation) return;
  const host = cloud.host;
  const spec = () => machineSpec(cloud.store.state, cloud.store.state.instances[instanceId]);
  const setState = (state: InstanceState) => update(cloud, instanceId, (instance) => void (instance.state = state));
  // The state the machine is known to be in, to report when a step fails.
  let settled: InstanceState = initial.state;
  try {
    switch (operation.kind) {
      case "launch": {
        await host.launchMachine(spec());
        await syncSecurityRules(cloud, instanceId);
        const publicIp = cloud.store.state.instances[instanceId].publicIp;
        if (publicIp)
          await host.routePublicAddress(publicIp, { vpcId: initial.vpcId, subnetId: initial.subnetId, address: initial.privateIp });
        finish(cloud, instanceId, "RUNNING");
        break;
      }
      case "stop":
        settled = "RUNNING";
        await host.stopMachine(instanceId, { force: operation.force });
        finish(cloud, instanceId, "STOPPED");
        break;
      case "start":
        settled = "STOPPED";
        await host.startMachine(instanceId);
        finish(cloud, instanceId, "RUNNING");
        break;
      case "reboot":
        settled = "RUNNING";
        await host.rebootMachine(instanceId, { force: operation.force });
        finish(cloud, instanceId, "RUNNING");
        break;
      case "reinstall":
      case "resize":
      case "set-keys": {
        const wasRunning = operation.kind === "resize" || operation.wasRunning;
        if (cloud.store.state.instances[instanceId].state !== "STOPPED") {
          settled = "RUNNING";
          setState("STOPPING");
          await host.stopMachine(instanceId, { force: operation.kind !== "reinstall" && operation.force });
        }
        settled = "STOPPED";
        setState("STOPPED");
        if (operation.kind === "reinstall") {
          await host.reinstallMachine(machineSpec(cloud.store.state, cloud.store.state.instances[instanceId], operation.imageId));
          update(cloud, instanceId, (instance, draft) => {
            instance.imageId = operation.imageId;
            instance.osName = draft.images[operation.imageId].osName;
          });
        } else if (operation.kind === "resize") {
          const size = machineSpec(cloud.store.state, {
            ...cloud.store.state.instances[instanceId],
            instanceType: operation.instanceType,
          }).size;
          await host.resizeMachine(instanceId, size);
          update(cloud, instanceId, (instance) => void (instance.instanceType = operation.instanceType));
        } else {
          update(cloud, instanceId, (instance) => void (instance.keyIds = operation.keyIds));
          await host.setAuthorizedKeys(instanceId, spec().authorizedKeys);
        }
        // ResetInstancesType: "the instance shows RUNNING when the change is done, no need to start it".
        if (wasRunning) {
          setState("STARTING");
          await host.startMachine(instanceId);
          settled = "RUNNING";
        }
        finish(cloud, instanceId, settled);
        break;
      }
      case "terminate": {
        const publicIp = initial.publicIp;
        if (publicIp) await host.routePublicAddress(publicIp, undefined);
        await host.destroyMachine(instanceId);
        cloud.store.mutate((draft) => removeInstance(draft, instanceId, isoNow(cloud.now())));
        await syncSecurityRules(cloud);
        break;
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    update(cloud, instanceId, (instance) => {
      instance.operation = null;
      instance.latestOperationState = "FAILED";
      instance.latestOperationErrorMsg = message;
      if (operation.kind === "launch") {
        instance.state = "LAUNCH_FAILED";
        instance.launchFailedTime = isoNow(cloud.now());
      } else instance.state = settled;
    });
  }
}

/** Removes LAUNCH_FAILED instances older than the retention, freeing their address and disk (their machine, if any, goes too). */
export async function sweepFailedLaunches(cloud: CloudContext): Promise<void> {
  const now = cloud.now().getTime();
  const expired = Object.values(cloud.store.state.instances).filter(
    (instance) =>
      instance.state === "LAUNCH_FAILED" &&
      instance.launchFailedTime !== null &&
      now - Date.parse(instance.launchFailedTime) >= LAUNCH_FAILED_RETENTION_MS,
  );
  for (const instance of expired) {
    await cloud.host.destroyMachine(instance.instanceId);
    cloud.store.mutate((draft) => removeInstance(draft, instance.instanceId, isoNow(cloud.now())));
  }
}
