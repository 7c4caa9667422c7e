import type { SecurityGroupRuleSetEgress, SecurityGroupRuleSetIngress } from "../../../.gen/providers/tencentcloud/security-group-rule-set";
import type { ServiceIngressRule } from "../ha-vip-cluster-props";
import { terraformText } from "./terraform-text";

export interface SecurityRulesInput {
  readonly sshAllowedCidr: string;
  readonly nodeIps: readonly [string, string];
  readonly serviceIngress: readonly ServiceIngressRule[];
}

/**
 * Ingress: SSH from the operator, VRRP between the two nodes, then the service rules.
 * VRRP is IP protocol 112, which Tencent security group rules cannot name: they offer TCP, UDP,
 * ICMP or ALL, so the peers are admitted with protocol ALL from each node's /32.
 */
export function ingressRules(input: SecurityRulesInput): SecurityGroupRuleSetIngress[] {
  return [
    { action: "ACCEPT", protocol: "TCP", port: "22", cidrBlock: input.sshAllowedCidr, description: "SSH from the operator" },
    ...input.nodeIps.map((ip) => ({
      action: "ACCEPT",
      protocol: "ALL",
      port: "ALL",
      cidrBlock: `${ip}/32`,
      description: `VRRP from node ${ip}`,
    })),
    ...input.serviceIngress.map((rule) => ({
      action: "ACCEPT",
      protocol: rule.protocol,
      port: rule.port ?? "ALL",
      cidrBlock: rule.cidrBlock,
      ...(rule.description ? { description: terraformText(rule.description) } : {}),
    })),
  ];
}

/** Nodes reach package mirrors, NTP and the Tencent API freely. */
export function egressRules(): SecurityGroupRuleSetEgress[] {
  return [{ action: "ACCEPT", protocol: "ALL", port: "ALL", cidrBlock: "0.0.0.0/0", description: "all outbound" }];
}
