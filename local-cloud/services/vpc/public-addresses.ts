import type { CloudConfig } from "../../api/cloud-context";
import { addressText, assignableAddresses } from "../../network/ipv4-block";
import { ApiError } from "../../server/api-error";
import type { CloudState } from "../../state/cloud-state";

/** Public addresses in use: EIPs and CVM public IPs. */
function usedPublicAddresses(state: Readonly<CloudState>): Set<string> {
  return new Set([
    ...Object.values(state.addresses).map((address) => address.addressIp),
    ...Object.values(state.instances).flatMap((instance) => (instance.publicIp ? [instance.publicIp] : [])),
  ]);
}

/** The lowest free address of the public pool (the pool's network, first and broadcast addresses are never handed out). */
export function allocatePublicAddress(state: Readonly<CloudState>, config: CloudConfig, code = "ResourceInsufficient"): string {
  const used = usedPublicAddresses(state);
  for (const address of assignableAddresses(config.publicAddressPool)) {
    if (!used.has(addressText(address))) return addressText(address);
  }
  throw new ApiError(code, `The public address pool ${config.publicAddressPool.text} of this local cloud is exhausted.`);
}
