import type { CloudContext } from "../../api/cloud-context";
import { isoNow } from "../../state/api-time";
import type { CloudState, HaVipRecord } from "../../state/cloud-state";

/** Tencent binds at most 5 HAVIPs to one ENI. */
export const MAX_HAVIPS_PER_ENI = 5;

/** Instances that have a machine able to announce an address. */
const CAN_ANNOUNCE = new Set(["RUNNING", "STOPPING", "REBOOTING"]);

function mayHold(state: Readonly<CloudState>, havip: HaVipRecord, instanceId: string): boolean {
  const instance = state.instances[instanceId];
  if (!instance || instance.subnetId !== havip.subnetId) return false;
  if (havip.checkAssociate && !havip.associations.some((association) => association.instanceId === instanceId)) return false;
  const othersOnEni = Object.values(state.havips).filter(
    (other) => other.havipId !== havip.havipId && other.boundInstanceId === instanceId,
  ).length;
  return othersOnEni < MAX_HAVIPS_PER_ENI;
}

/** The binding after an observation: a gratuitous ARP moves the HAVIP to an instance allowed to hold it; otherwise it stays where it was while that instance may still hold it. */
export function nextBinding(state: Readonly<CloudState>, havip: HaVipRecord, observedHolder: string | undefined): string | null {
  if (
    observedHolder !== undefined &&
    CAN_ANNOUNCE.has(state.instances[observedHolder]?.state ?? "") &&
    mayHold(state, havip, observedHolder)
  ) {
    return observedHolder;
  }
  if (havip.boundInstanceId !== null && state.instances[havip.boundInstanceId] && mayHold(state, havip, havip.boundInstanceId))
    return havip.boundInstanceId;
  return null;
}

/** Asks the host who answers for each HAVIP's address and records where each is bound now (FlushedTime moves with a binding). */
export async function refreshHaVipBindings(cloud: CloudContext, havipIds: readonly string[]): Promise<void> {
  const observed = new Map<string, string | undefined>();
  for (const id of havipIds) {
    const havip = cloud.store.state.havips[id];
    if (havip) observed.set(id, await cloud.host.addressHolder({ vpcId: havip.vpcId, subnetId: havip.subnetId, address: havip.vip }));
  }
  const state = cloud.store.state;
  const changes = [...observed].filter(
    ([id, holder]) => state.havips[id] && nextBinding(state, state.havips[id], holder) !== state.havips[id].boundInstanceId,
  );
  if (changes.length === 0) return;
  cloud.store.mutate((draft) => {
    for (const [id, holder] of changes) {
      const havip = draft.havips[id];
      if (!havip) continue;
      havip.boundInstanceId = nextBinding(draft, havip, holder);
      havip.flushedTime = isoNow(cloud.now());
    }
  });
}

/** Unbinds HAVIPs from instances that may no longer hold them (after a disassociation or a termination). */
export function dropStaleBindings(state: CloudState, now: string): void {
  for (const havip of Object.values(state.havips)) {
    if (havip.boundInstanceId !== null && !mayHoldIgnoringLimit(state, havip, havip.boundInstanceId)) {
      havip.boundInstanceId = null;
      havip.flushedTime = now;
    }
  }
}

function mayHoldIgnoringLimit(state: Readonly<CloudState>, havip: HaVipRecord, instanceId: string): boolean {
  const instance = state.instances[instanceId];
  if (!instance || instance.state === "TERMINATING") return false;
  return !havip.checkAssociate || havip.associations.some((association) => association.instanceId === instanceId);
}
