import type { Instance } from "../../../.gen/providers/tencentcloud/instance";

/**
 * Ordering and a check for an auto-assigned HAVIP. It is created after the primary, so Tencent
 * cannot hand it the primary's fixed IP. It cannot also wait for the secondary: the secondary
 * waits for the primary's deploy gate, which renders the HAVIP's address (that would be a cycle).
 * So the secondary's IP is checked as soon as the address is known, before the secondary is
 * created, and the apply stops with the fix instead of leaving a half-created pair.
 */
export function autoAddressGuard(primary: Instance, secondaryIp: string) {
  return {
    dependsOn: [primary],
    lifecycle: {
      postcondition: [
        {
          condition: `\${self.vip != "${secondaryIp}"}`,
          errorMessage: `Tencent assigned this HAVIP ${secondaryIp}, the secondary node's fixed IP; set havips[].address (or nodes.secondaryIp) to a free address and deploy again`,
        },
      ],
    },
  };
}
