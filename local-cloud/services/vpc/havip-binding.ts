import type { CloudContext } from "../../api/cloud-context";
import type { Announcement, PrivateAddress } from "../../host/cloud-host";
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

/**
 * Moves HAVIPs the way Tencent's VPC does: an instance announces an address by gratuitous ARP, and
 * `switchDelayMs` later (the time Tencent takes to reprogram its network) the HAVIP with that address
 * in the instance's subnet is bound to it, if the instance may hold it then. The host routes each
 * HAVIP's traffic to its bound instance; the binder keeps the host's routes equal to the state.
 */
export class HaVipBinder {
  /** havipId -> the HAVIP's address and the instance the host was last told to route it to. */
  private readonly routed = new Map<string, { readonly address: PrivateAddress; readonly instanceId: string | undefined }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private routing: Promise<void> = Promise.resolve();

  constructor(
    private readonly cloud: CloudContext,
    private readonly switchDelayMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** An instance announced `address`: the binding it asks for takes effect after the switch delay. */
  announce(announcement: Announcement): void {
    const instance = this.cloud.store.state.instances[announcement.instanceId];
    if (!instance) return;
    const candidates = Object.values(this.cloud.store.state.havips).filter(
      (havip) => havip.subnetId === instance.subnetId && havip.vip === announcement.address,
    );
    for (const havip of candidates) {
      const delay = Math.max(0, announcement.at + this.switchDelayMs - Date.now());
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.bind(havip.havipId, announcement.instanceId);
      }, delay);
      this.timers.add(timer);
    }
  }

  private bind(havipId: string, instanceId: string): void {
    const havip = this.cloud.store.state.havips[havipId];
    if (!havip || nextBinding(this.cloud.store.state, havip, instanceId) === havip.boundInstanceId) return;
    this.cloud.store.mutate((draft) => {
      const current = draft.havips[havipId];
      current.boundInstanceId = nextBinding(draft, current, instanceId);
      current.flushedTime = isoNow(this.cloud.now());
    });
  }

  /** Tells the host where each HAVIP goes now, for every HAVIP whose route differs from the state (all of them the first time). */
  syncRoutes(): void {
    const state = this.cloud.store.state;
    const changes: { havipId: string; address: PrivateAddress; instanceId: string | undefined }[] = [];
    for (const havip of Object.values(state.havips)) {
      const instanceId = havip.boundInstanceId ?? undefined;
      const routed = this.routed.get(havip.havipId);
      if (routed && routed.instanceId === instanceId) continue;
      const address = { vpcId: havip.vpcId, subnetId: havip.subnetId, address: havip.vip };
      this.routed.set(havip.havipId, { address, instanceId });
      changes.push({ havipId: havip.havipId, address, instanceId });
    }
    // A deleted HAVIP's address goes nowhere any more.
    for (const [havipId, routed] of this.routed) {
      if (state.havips[havipId]) continue;
      this.routed.delete(havipId);
      if (routed.instanceId !== undefined) changes.push({ havipId, address: routed.address, instanceId: undefined });
    }
    for (const change of changes) {
      this.routing = this.routing
        .then(() => this.cloud.host.routeAddress(change.address, change.instanceId))
        .catch((error: Error) => {
          // Told again at the next change (the route is unknown now).
          if (this.routed.get(change.havipId)?.instanceId === change.instanceId) this.routed.delete(change.havipId);
          this.onError(error);
        });
    }
  }

  /** Resolves once the host has been told every route so far. */
  settled(): Promise<void> {
    return this.routing;
  }

  /** Drops announcements still waiting for their switch delay. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
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
