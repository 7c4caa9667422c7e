import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { RENDER_CASES, TEST_AUTH_PASS } from "../../fixtures/keepalived-spec";
import { writeNodeFiles } from "./node-files-on-disk";
import { runningAsRoot, toolAvailable } from "../../fixtures/tools";

const canCheck = toolAvailable("keepalived") && toolAvailable("unshare") && toolAvailable("ip") && runningAsRoot();

/**
 * `keepalived -t -e -f FILE` (exit 0 ok, 4 missing file, 5 errors or warnings, 6 script security
 * violation). It also insists that the interface exists, so it runs in a fresh network namespace
 * holding only a veth of that name: nothing on the host changes, nothing is sent.
 */
function keepalivedConfigTest(configPath: string, interfaceName: string): { status: number | null; output: string } {
  const result = spawnSync(
    "unshare",
    [
      "--net",
      "sh",
      "-c",
      'ip link add "$1" type veth peer name havip-peer0 && exec keepalived -t -e -f "$2"',
      "sh",
      interfaceName,
      configPath,
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!canCheck)("keepalived -t accepts every rendered keepalived.conf", () => {
  for (const renderCase of RENDER_CASES) {
    const [self, peer] = renderCase.spec.nodes;
    const isOneTwo = renderCase.keepalivedVersion.startsWith("1.2.");
    it(`accepts ${renderCase.name}${isOneTwo ? " except for the script security that 1.2.x lacks" : ""}`, () => {
      const onDisk = writeNodeFiles(
        renderCase.spec,
        { ownIp: self.privateIp, peerIp: peer.privateIp, keepalivedVersion: renderCase.keepalivedVersion },
        TEST_AUTH_PASS,
      );
      try {
        const { status, output } = keepalivedConfigTest(onDisk.configPath, renderCase.spec.interfaceName);
        if (isOneTwo) {
          // 1.2.x has no enable_script_security, and Keepalived 2.x insists on it: exit 6, and nothing else wrong.
          expect(output.trim()).toBe("SECURITY VIOLATION - scripts are being executed but script_security not enabled.");
          expect(status).toBe(6);
        } else {
          expect(output).toBe("");
          expect(status).toBe(0);
        }
      } finally {
        onDisk.remove();
      }
    });
  }

  it("renders the secondary node's file so that keepalived -t accepts it too", () => {
    const renderCase = RENDER_CASES[0];
    const [primary, secondary] = renderCase.spec.nodes;
    const onDisk = writeNodeFiles(
      renderCase.spec,
      { ownIp: secondary.privateIp, peerIp: primary.privateIp, keepalivedVersion: "2.2.7" },
      TEST_AUTH_PASS,
    );
    try {
      expect(keepalivedConfigTest(onDisk.configPath, renderCase.spec.interfaceName)).toEqual({ status: 0, output: "" });
    } finally {
      onDisk.remove();
    }
  });

  it("is a real check: a script writable by others makes keepalived -t fail", () => {
    const renderCase = RENDER_CASES[0];
    const [self, peer] = renderCase.spec.nodes;
    const onDisk = writeNodeFiles(
      renderCase.spec,
      { ownIp: self.privateIp, peerIp: peer.privateIp, keepalivedVersion: "2.2.7" },
      TEST_AUTH_PASS,
    );
    try {
      spawnSync("chmod", ["0777", onDisk.healthCheckScriptPath]);
      expect(keepalivedConfigTest(onDisk.configPath, renderCase.spec.interfaceName).status).not.toBe(0);
    } finally {
      onDisk.remove();
    }
  });
});
