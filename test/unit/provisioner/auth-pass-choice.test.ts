import { describe, expect, it } from "vitest";
import { renderNodeFiles } from "../../../lib/core/keepalived";
import { requireValidClusterSpec, withAuthPass } from "../../../lib/core/validation";
import { testClusterSpec } from "../../fixtures/cluster-spec";
import { chooseAuthPass, extractAuthPass } from "../../../lib/core/plan/choose-auth-pass";

const spec = testClusterSpec();

function renderedConf(authPass: string): string {
  const [a, b] = spec.nodes;
  const files = renderNodeFiles(withAuthPass(requireValidClusterSpec(spec), authPass), {
    ownIp: a.privateIp,
    peerIp: b.privateIp,
    keepalivedVersion: "2.2.7",
  });
  const conf = files.find((file) => file.path.endsWith("keepalived.conf"));
  if (!conf) throw new Error("renderNodeFiles rendered no keepalived.conf");
  return conf.content;
}

const never = () => {
  throw new Error("must not generate a password");
};

describe("extractAuthPass", () => {
  it.each(["Ab3dEf7h", "x", "a|b~[c]:", "%&()*+,-"])("reads back %s from a rendered keepalived.conf", (authPass) => {
    expect(extractAuthPass(renderedConf(authPass))).toBe(authPass);
  });

  it("finds nothing in a config without authentication", () => {
    expect(extractAuthPass("vrrp_instance VI_1 {\n    state BACKUP\n}\n")).toBeUndefined();
  });

  it("ignores a commented-out auth_pass", () => {
    expect(extractAuthPass("    # auth_pass old\n    ! auth_pass older\n")).toBeUndefined();
  });
});

describe("chooseAuthPass", () => {
  it("prefers the password in the settings over what the nodes have", () => {
    expect(chooseAuthPass("fromspec", [renderedConf("onnode1")], never)).toEqual({ authPass: "fromspec", source: "settings" });
  });

  it("keeps the password the nodes already share, so a re-run changes nothing", () => {
    const choice = chooseAuthPass(undefined, [renderedConf("shared1"), renderedConf("shared1")], never);
    expect(choice).toEqual({ authPass: "shared1", source: "nodes" });
    expect(renderedConf(choice.authPass)).toBe(renderedConf("shared1"));
  });

  it("replaces a hand-edited password that breaks the rules instead of carrying it over", () => {
    const handEdited = "vrrp_instance x {\n  authentication {\n    auth_pass waytoolong99\n  }\n}\n";
    expect(chooseAuthPass(undefined, [handEdited, undefined], () => "fresh123")).toEqual({ authPass: "fresh123", source: "generated" });
  });

  it("takes the primary's password when the nodes disagree", () => {
    expect(chooseAuthPass(undefined, [renderedConf("primary"), renderedConf("second")], never).authPass).toBe("primary");
  });

  it("takes the secondary's password when only the secondary has a config", () => {
    expect(chooseAuthPass(undefined, [undefined, renderedConf("second")], never)).toEqual({ authPass: "second", source: "nodes" });
  });

  it("generates one when neither the settings nor the nodes have any", () => {
    expect(chooseAuthPass(undefined, [undefined, "global_defs {\n}\n"], () => "newpass1")).toEqual({
      authPass: "newpass1",
      source: "generated",
    });
  });
});
