/**
 * Everything the local cloud knows, as it is written to the state file. Records hold the values
 * the API returns; times are ISO 8601 UTC (`2026-01-02T03:04:05Z`) and each API formats them the
 * way Tencent does for that resource.
 */
export interface CloudState {
  formatVersion: typeof STATE_FORMAT_VERSION;
  vpcs: Record<string, VpcRecord>;
  routeTables: Record<string, RouteTableRecord>;
  subnets: Record<string, SubnetRecord>;
  securityGroups: Record<string, SecurityGroupRecord>;
  placementGroups: Record<string, PlacementGroupRecord>;
  keyPairs: Record<string, KeyPairRecord>;
  /** Public images ever published, by image id: an id stays the same for the same host image. */
  images: Record<string, ImageRecord>;
  instances: Record<string, InstanceRecord>;
  disks: Record<string, DiskRecord>;
  havips: Record<string, HaVipRecord>;
  addresses: Record<string, AddressRecord>;
  /** Tags by `<service>/<resource prefix>/<resource id>` (the tag service's key), e.g. `cvm/instance/ins-12345678`. */
  tags: Record<string, Record<string, string>>;
  /** Results of the VPC service's asynchronous tasks (DescribeTaskResult), by task id. */
  tasks: Record<string, TaskRecord>;
  nextTaskId: number;
}

export const STATE_FORMAT_VERSION = 1;

export function emptyCloudState(): CloudState {
  return {
    formatVersion: STATE_FORMAT_VERSION,
    vpcs: {},
    routeTables: {},
    subnets: {},
    securityGroups: {},
    placementGroups: {},
    keyPairs: {},
    images: {},
    instances: {},
    disks: {},
    havips: {},
    addresses: {},
    tags: {},
    tasks: {},
    nextTaskId: 1_000_001,
  };
}

export interface VpcRecord {
  vpcId: string;
  name: string;
  cidrBlock: string;
  enableMulticast: boolean;
  dnsServers: string[];
  enableRouteVpcPublish: boolean;
  enableRouteVpcPublishIpv6: boolean;
  defaultRouteTableId: string;
  createdTime: string;
}

export interface RouteTableRecord {
  routeTableId: string;
  vpcId: string;
  name: string;
  main: boolean;
  createdTime: string;
}

export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  name: string;
  cidrBlock: string;
  zone: string;
  enableBroadcast: boolean;
  routeTableId: string;
  createdTime: string;
}

export interface SecurityGroupPolicyRecord {
  protocol: string;
  port: string;
  cidrBlock: string;
  ipv6CidrBlock: string;
  securityGroupId: string;
  action: "ACCEPT" | "DROP";
  description: string;
  modifyTime: string;
}

export interface SecurityGroupRecord {
  securityGroupId: string;
  name: string;
  description: string;
  projectId: string;
  createdTime: string;
  updateTime: string;
  /** Raised by one on every change of the rules; 0 after they were cleared. */
  policyVersion: number;
  ingress: SecurityGroupPolicyRecord[];
  egress: SecurityGroupPolicyRecord[];
}

export interface PlacementGroupRecord {
  placementGroupId: string;
  name: string;
  type: string;
  affinity: number;
  strategy: string | null;
  createTime: string;
}

export interface KeyPairRecord {
  keyId: string;
  keyName: string;
  projectId: number;
  publicKey: string;
  description: string;
  createdTime: string;
}

export interface ImageRecord {
  imageId: string;
  /** The host backend's name for what it boots. */
  hostImageKey: string;
  imageName: string;
  osName: string;
  platform: string;
  architecture: string;
  imageSizeGiB: number;
  createdTime: string;
}

export type InstanceState =
  "PENDING" | "LAUNCH_FAILED" | "RUNNING" | "STOPPED" | "STARTING" | "STOPPING" | "REBOOTING" | "SHUTDOWN" | "TERMINATING";

/** An instance operation in progress, kept so a restarted local cloud can carry it to its end. */
export type InstanceOperation =
  | { kind: "launch" }
  | { kind: "stop"; force: boolean }
  | { kind: "start" }
  | { kind: "reboot"; force: boolean }
  | { kind: "reinstall"; imageId: string; wasRunning: boolean }
  | { kind: "resize"; instanceType: string; force: boolean }
  | { kind: "set-keys"; keyIds: string[]; wasRunning: boolean; force: boolean }
  | { kind: "terminate" };

export interface InstanceRecord {
  instanceId: string;
  name: string;
  instanceType: string;
  zone: string;
  projectId: number;
  imageId: string;
  osName: string;
  vpcId: string;
  subnetId: string;
  privateIp: string;
  /** The primary ENI: what an HAVIP binds to. */
  networkInterfaceId: string;
  publicIp: string | null;
  internetChargeType: string | null;
  internetMaxBandwidthOut: number;
  securityGroupIds: string[];
  keyIds: string[];
  placementGroupId: string | null;
  systemDiskId: string;
  hostName: string;
  /** Base64, as RunInstances received it; null without user data. */
  userData: string | null;
  disableApiTermination: boolean;
  uuid: string;
  createdTime: string;
  state: InstanceState;
  latestOperation: string | null;
  latestOperationState: "OPERATING" | "SUCCESS" | "FAILED" | null;
  latestOperationRequestId: string | null;
  latestOperationErrorMsg: string | null;
  /** When the launch failed: a LAUNCH_FAILED instance is removed a while later. */
  launchFailedTime: string | null;
  operation: InstanceOperation | null;
  /** RunInstances' ClientToken: the same token gets the same instance back. */
  clientToken: string | null;
}

export interface DiskRecord {
  diskId: string;
  diskName: string;
  diskType: string;
  diskSize: number;
  zone: string;
  instanceId: string;
  createTime: string;
}

export interface HaVipAssociationRecord {
  instanceId: string;
  instanceType: string;
}

export interface HaVipRecord {
  havipId: string;
  name: string;
  vpcId: string;
  subnetId: string;
  vip: string;
  checkAssociate: boolean;
  associations: HaVipAssociationRecord[];
  /** The EIP bound to this HAVIP, or "" (Tencent's value for none). */
  addressIp: string;
  /** The instance the HAVIP was last seen bound to. */
  boundInstanceId: string | null;
  createdTime: string;
  flushedTime: string;
}

export interface AddressRecord {
  addressId: string;
  name: string;
  addressIp: string;
  status: "UNBIND" | "BIND";
  internetChargeType: string;
  bandwidth: number;
  /** What the EIP is bound to (only HAVIPs here). */
  boundHavipId: string | null;
  createdTime: string;
}

export interface TaskRecord {
  result: "SUCCESS" | "FAILED" | "RUNNING";
}
