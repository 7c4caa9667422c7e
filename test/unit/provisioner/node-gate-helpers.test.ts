import { describe, expect, it } from "vitest";
import { testClusterSpec } from "../../fixtures/cluster-spec";
import { healthSettleMs, nodeHealth } from "../../../lib/core/health";
import { lockHolderScript } from "../../../lib/core/node/node-lock";
import { nodeLocksInOrder } from "../../../lib/provisioner/node-lock";
import type { RemoteShell } from "../../../lib/provisioner/ssh/remote-shell";

const spec = testClusterSpec();

describe("a node's health for the deploy gate", () => {
  it.each([
    ["MASTER", true, true],
    ["BACKUP", true, true],
    ["FAULT", true, false],
    ["STOP", true, false],
    [undefined, true, false],
    ["MASTER", false, false],
  ])("state %s with Keepalived running=%s is healthy: %s", (state, running, healthy) => {
    const keepalived = { running, runState: running ? ("running" as const) : ("stopped" as const), addresses: [], notifiedState: state };
    expect(nodeHealth({ node: "a", reachable: true, keepalived }).healthy).toBe(healthy);
  });

  it("must hold for one fall window of the health check", () => {
    const check = { ...spec.healthCheck, intervalSeconds: 3, fall: 4 };
    expect(healthSettleMs(check)).toBe(12_000);
  });
});

describe("the node lock", () => {
  it("writes the owner as one quoted shell word", () => {
    const script = lockHolderScript("ops@box $(reboot) 'x'");
    expect(script).toContain(`printf '%s\\n' 'ops@box $(reboot) '\\''x'\\''' >`);
    expect(script).toContain("flock -n 9");
  });

  it("is taken in node order even when the second node connects first", async () => {
    const taken: string[] = [];
    const shell = (name: string) =>
      ({
        nodeName: name,
        hold: async () => {
          taken.push(name);
          return { held: true as const, release: () => undefined };
        },
      }) as unknown as RemoteShell;
    const locks = nodeLocksInOrder(2);
    const second = locks.take(1, shell("secondary"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(taken).toEqual([]);
    await locks.take(0, shell("primary"));
    await second;
    expect(taken).toEqual(["primary", "secondary"]);
  });

  it("lets the second node go on when the first one's connection failed", async () => {
    const locks = nodeLocksInOrder(2);
    const shell = { nodeName: "b", hold: async () => ({ held: true as const, release: () => undefined }) } as unknown as RemoteShell;
    locks.abandon(0);
    await expect(locks.take(1, shell)).resolves.toBeUndefined();
  });
});
