export {
  startLocalCloud,
  DEFAULT_PUBLIC_ADDRESS_POOL,
  DEFAULT_HAVIP_SWITCH_DELAY_MS,
  type ApiCredentials,
  type LocalCloud,
  type LocalCloudOptions,
} from "./start-local-cloud";
export type {
  Announcement,
  BootableImage,
  CloudHost,
  HostSubnet,
  HostVpc,
  MachineSecurityRules,
  MachineSize,
  MachineSpec,
  PrivateAddress,
  SecurityRule,
} from "./host/cloud-host";
export { InMemoryHost, type InMemoryHostOptions, type InMemoryMachine } from "./host/in-memory-host";
export type { CloudState } from "./state/cloud-state";
