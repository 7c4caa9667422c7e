import type { MachineSpec } from "../../host/cloud-host";
import { addressText, type Ipv4Block, parseIpv4Block } from "../../network/ipv4-block";
import type { CloudState, InstanceRecord } from "../../state/cloud-state";
import { instanceSize } from "./instance-types";

/** What the host needs to boot (or reinstall) an instance as the state describes it, from `imageId`. */
export function machineSpec(state: Readonly<CloudState>, instance: InstanceRecord, imageId = instance.imageId): MachineSpec {
  const subnet = parseIpv4Block(state.subnets[instance.subnetId].cidrBlock) as Ipv4Block;
  return {
    instanceId: instance.instanceId,
    hostName: instance.hostName,
    imageKey: state.images[imageId].hostImageKey,
    vpcId: instance.vpcId,
    subnetId: instance.subnetId,
    privateIp: instance.privateIp,
    prefixLength: subnet.prefixLength,
    gateway: addressText(subnet.network + 1),
    size: instanceSize(instance.instanceType),
    systemDiskGiB: state.disks[instance.systemDiskId]?.diskSize ?? 0,
    authorizedKeys: instance.keyIds.map((keyId) => state.keyPairs[keyId]?.publicKey).filter((key): key is string => key !== undefined),
    userData: instance.userData === null ? undefined : Buffer.from(instance.userData, "base64").toString("utf8"),
  };
}

/** Tencent's default host name of a Linux CVM: `VM-<third octet>-<fourth octet>-<os>`, e.g. `VM-16-5-debian`. */
export function defaultHostName(privateIp: string, platform: string): string {
  const [, , third, fourth] = privateIp.split(".");
  return `VM-${third}-${fourth}-${platform.toLowerCase()}`;
}
