import { testLabPrefix } from "../test-lab-prefix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { type Lab, execInServer, labDown, labKeepalivedSource, labUp } from "../../../lab";
import { labSpec, provision, skipLab } from "./lab-fixture";

const PREFIX = testLabPrefix("havip-src");
/** An apt pin that makes the package unavailable: the server's distribution "does not offer" keepalived. */
const NO_KEEPALIVED_PIN = "Package: keepalived\nPin: release *\nPin-Priority: -1\n";

describe.skipIf(skipLab)("the source-tarball fallback on a bookworm lab", () => {
  let lab: Lab;

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX, release: "bookworm", onStep: (step) => console.log(`lab ${PREFIX}: ${step}`) });
  }, 600_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX });
  }, 30_000);

  it("builds Debian's Keepalived tarball, fetched over HTTPS from the lab (lab CA), on the server whose apt does not offer the package", async () => {
    const source = labKeepalivedSource(lab, "bookworm");
    expect(source?.url).toMatch(/^https:\/\/mirror\.lab\.internal:8443\/bookworm\/keepalived_2\.2\.7\.orig\.tar\.gz$/);
    const pin = await execInServer(lab, "a", [
      "sh",
      "-c",
      `printf '%s' '${NO_KEEPALIVED_PIN}' > /etc/apt/preferences.d/havip-no-keepalived`,
    ]);
    expect(pin.code).toBe(0);
    // Installing the build tools and compiling take minutes on 2 shared cores.
    const result = await provision(lab, { ...labSpec(lab), keepalivedSource: source }, ["--verbose"], 840_000);
    expect({ code: result.code, stderr: result.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(result.report?.nodes.map((node) => [node.node, node.install, node.keepalivedVersion])).toEqual([
      ["a", "built-from-source", "2.2.7"],
      ["b", "installed-package", "2.2.7"],
    ]);
    expect((await execInServer(lab, "a", ["dpkg-query", "-W", "keepalived"])).code).not.toBe(0);
    expect((await execInServer(lab, "a", ["systemctl", "is-active", "keepalived"])).stdout.trim()).toBe("active");
    expect(readFileSync(lab.tarballServerLogPath, "utf8")).toMatch(/"GET \/bookworm\/keepalived_2\.2\.7\.orig\.tar\.gz HTTP\/1\.1" 200/);
    expect(result.report?.vipHolder).toMatch(/^[ab]$/);
  }, 900_000);
});
