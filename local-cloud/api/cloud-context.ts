import type { CloudHost } from "../host/cloud-host";
import type { Ipv4Block } from "../network/ipv4-block";
import type { StateStore } from "../state/state-store";
import type { InstanceOperations } from "../services/cvm/instance-operations";

/** What this local cloud serves. */
export interface CloudConfig {
  /** The one region it answers for (`X-TC-Region`), e.g. `ap-guangzhou`. */
  readonly region: string;
  /** Its availability zones, e.g. `ap-guangzhou-3`. */
  readonly zones: readonly string[];
  /** Where CVM public IPs and EIPs come from. */
  readonly publicAddressPool: Ipv4Block;
}

/** Everything an action works with. */
export interface CloudContext {
  readonly config: CloudConfig;
  readonly store: StateStore;
  readonly host: CloudHost;
  readonly instanceOperations: InstanceOperations;
  readonly now: () => Date;
}
