import { describe, expect, it } from "vitest";
import {
  firewallRuleProblem,
  renderFirewallRule,
  renderRouterRuleset,
  routerRoutes,
  type VpcRouterModel,
} from "../../../lab/cloud-network";

const MODEL: VpcRouterModel = {
  vpcId: "vpc-t0000001",
  uplinkAddress: "198.51.100.16",
  uplinkInterface: "wan0",
  gateways: ["172.16.16.1"],
  instances: [
    {
      instanceId: "ins-a",
      port: "pa",
      privateIp: "172.16.16.5",
      publicIp: "198.51.100.64",
      firewall: {
        ingress: [
          { action: "ACCEPT", protocol: "TCP", port: "22", cidrBlocks: ["198.51.100.10/32"] },
          { action: "ACCEPT", protocol: "ALL", port: "ALL", cidrBlocks: ["172.16.16.6/32"] },
        ],
        egress: [{ action: "ACCEPT", protocol: "ALL", port: "ALL", cidrBlocks: ["0.0.0.0/0"] }],
      },
    },
    { instanceId: "ins-b", port: "pb", privateIp: "172.16.16.6" },
  ],
  boundAddresses: [{ address: "172.16.16.12", instanceId: "ins-a" }],
  translations: [{ publicIp: "198.51.100.70", privateIp: "172.16.16.12" }],
};

describe("a VPC router's model", () => {
  it("routes each instance's address and each bound HAVIP to the instance's port", () => {
    expect(routerRoutes(MODEL)).toEqual([
      { destination: "172.16.16.5/32", port: "pa" },
      { destination: "172.16.16.6/32", port: "pb" },
      { destination: "172.16.16.12/32", port: "pa" },
    ]);
  });

  it("renders NAT, and security rules on the ports of instances that have them, as one replaced table", () => {
    expect(renderRouterRuleset(MODEL)).toBe(
      [
        "table ip havip_vpc {}",
        "delete table ip havip_vpc",
        "table ip havip_vpc {",
        "  chain prerouting {",
        "    type nat hook prerouting priority dstnat; policy accept;",
        "    ip daddr 198.51.100.64 dnat to 172.16.16.5",
        "    ip daddr 198.51.100.70 dnat to 172.16.16.12",
        "  }",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        '    oifname "wan0" ip saddr 172.16.16.5 snat to 198.51.100.64',
        '    oifname "wan0" masquerade',
        "  }",
        "  chain ingress_pa {",
        "    ip saddr 198.51.100.10/32 tcp dport { 22 } accept",
        "    ip saddr 172.16.16.6/32 accept",
        "    drop",
        "  }",
        "  chain egress_pa {",
        "    accept",
        "    drop",
        "  }",
        "  chain egress {",
        "    type filter hook forward priority filter; policy accept;",
        "    meta l4proto { tcp, udp, icmp } ct state established,related accept",
        '    iifname "pa" jump egress_pa',
        "  }",
        "  chain ingress {",
        "    type filter hook forward priority filter + 1; policy accept;",
        "    meta l4proto { tcp, udp, icmp } ct state established,related accept",
        '    oifname "pa" jump ingress_pa',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("cuts a partitioned pair off from each other, both ways, by the route a packet takes after DNAT", () => {
    const partitioned = renderRouterRuleset({ ...MODEL, partitions: [["ins-a", "ins-b"]] });
    expect(partitioned).toContain(
      [
        "  chain partitions {",
        "    type filter hook prerouting priority dstnat + 10; policy accept;",
        '    iifname "pa" fib daddr oif "pb" drop',
        '    iifname "pb" fib daddr oif "pa" drop',
        "  }",
      ].join("\n"),
    );
    expect(partitioned.replace(/ {2}chain partitions \{[^}]*\}\n/, "")).toBe(renderRouterRuleset(MODEL));
  });

  it("renders no partition chain for no partition, or for a pair naming an instance the router has no port for", () => {
    expect(renderRouterRuleset(MODEL)).not.toContain("partitions");
    expect(renderRouterRuleset({ ...MODEL, partitions: [] })).toBe(renderRouterRuleset(MODEL));
    expect(renderRouterRuleset({ ...MODEL, partitions: [["ins-a", "ins-gone"]] })).toBe(renderRouterRuleset(MODEL));
  });

  it.each([
    [
      { action: "ACCEPT", protocol: "UDP", port: "53,123", cidrBlocks: ["10.0.0.0/8", "192.168.0.0/16"] },
      "daddr",
      "ip daddr { 10.0.0.0/8, 192.168.0.0/16 } udp dport { 53, 123 } accept",
    ],
    [{ action: "DROP", protocol: "TCP", port: "8000-8010", cidrBlocks: ["0.0.0.0/0"] }, "saddr", "tcp dport { 8000-8010 } drop"],
    [{ action: "ACCEPT", protocol: "TCP", port: "ALL", cidrBlocks: ["0.0.0.0/0"] }, "saddr", "meta l4proto tcp accept"],
    [
      { action: "ACCEPT", protocol: "ICMP", port: "ALL", cidrBlocks: ["172.16.0.0/16"] },
      "saddr",
      "ip saddr 172.16.0.0/16 ip protocol icmp accept",
    ],
    [{ action: "ACCEPT", protocol: "GRE", port: "ALL", cidrBlocks: ["0.0.0.0/0"] }, "saddr", "ip protocol gre accept"],
  ] as const)("renders %j as %s-side %s", (rule, peer, expected) => {
    expect(renderFirewallRule(rule, peer)).toBe(expected);
  });

  it("leaves IPv6-only rules out (the lab has no IPv6) and refuses what it cannot enforce", () => {
    expect(renderFirewallRule({ action: "ACCEPT", protocol: "ICMPv6", port: "ALL", cidrBlocks: ["0.0.0.0/0"] }, "saddr")).toBeUndefined();
    expect(firewallRuleProblem({ action: "ACCEPT", protocol: "SCTP", port: "ALL", cidrBlocks: [] })).toMatch(/protocol SCTP/);
    expect(firewallRuleProblem({ action: "ACCEPT", protocol: "ICMP", port: "22", cidrBlocks: [] })).toMatch(/needs TCP or UDP/);
    expect(firewallRuleProblem({ action: "ACCEPT", protocol: "TCP", port: "ssh", cidrBlocks: [] })).toMatch(/port ssh/);
  });
});
