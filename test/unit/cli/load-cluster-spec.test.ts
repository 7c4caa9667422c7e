import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { SettingsError } from "../../../lib/core/settings-error";
import { CLUSTER_SPEC_ENV } from "../../../lib/spec/provision-invocation";
import { applySshOverrides, findClusterSpecs, loadClusterSpec, selectClusterSpec } from "../../../lib/spec/load-cluster-spec";
import { testClusterSpec } from "../../fixtures/cluster-spec";
import { writeTestKeyPair } from "../../fixtures/ssh-keys";

// A plain cluster spec: without the lab's namespace marker, which would make loading refuse it outside that lab.
const lab = testClusterSpec();
const webSpec: ClusterSpec = { ...lab, clusterName: "web" };
const dbSpec: ClusterSpec = { ...lab, clusterName: "db", virtualRouterId: 52 };
const web = webSpec;
const db = dbSpec;

describe("findClusterSpecs", () => {
  it("finds a spec in `cdktf output --outputs-file` output (stack -> output -> JSON string)", () => {
    const outputs = { "havip-cluster": { "web-spec": JSON.stringify(web), "web-eip": "1.2.3.4" } };
    expect(findClusterSpecs(outputs)).toEqual([web]);
  });

  it("finds a spec in `terraform output -json` output ({ sensitive, type, value } wrappers)", () => {
    const outputs = {
      "web-spec": { sensitive: true, type: "string", value: JSON.stringify(web) },
      "web-eip": { sensitive: false, type: "string", value: "1.2.3.4" },
    };
    expect(findClusterSpecs(outputs)).toEqual([web]);
  });

  it("finds every cluster, as objects or strings, and ignores strings that are not JSON", () => {
    const outputs = { stack: { "web-spec": web, "db-spec": JSON.stringify(db), note: "{not json", other: 3, nothing: null } };
    expect(findClusterSpecs(outputs).map((spec) => spec.clusterName)).toEqual(["web", "db"]);
  });

  it("does not take an object of another spec version for a cluster spec", () => {
    expect(findClusterSpecs({ out: { ...web, specVersion: 2 } })).toEqual([]);
  });
});

describe("selectClusterSpec", () => {
  it("returns the only spec without --cluster", () => {
    expect(selectClusterSpec([web], undefined, "out.json")).toBe(web);
  });

  it("explains that the origin holds no spec", () => {
    expect(() => selectClusterSpec([], undefined, "out.json")).toThrow(/out\.json holds no cluster spec/);
  });

  it("asks for --cluster when there are several, naming them", () => {
    expect(() => selectClusterSpec([web, db], undefined, "out.json")).toThrow(/2 clusters \(web, db\); choose one with --cluster/);
  });

  it("picks the named cluster among several", () => {
    expect(selectClusterSpec([web, db], "db", "out.json")).toBe(db);
  });

  it("lists the clusters it has when --cluster names an unknown one", () => {
    expect(() => selectClusterSpec([web, db], "api", "out.json")).toThrow("--cluster api: no such cluster in out.json (found: web, db)");
    expect(() => selectClusterSpec([], "api", "out.json")).toThrow("(found: none)");
  });
});

describe("applySshOverrides", () => {
  it("replaces only the fields given and keeps the rest of the spec's ssh settings", () => {
    const result = applySshOverrides(web, { user: "ops", privateKey: "/keys/id_ed25519" });
    expect(result.ssh).toEqual({ ...web.ssh, user: "ops", privateKeyPath: "/keys/id_ed25519" });
    expect(result.ssh.knownHostsPath).toBe(web.ssh.knownHostsPath);
    expect(web.ssh.user).toBe("root");
  });

  it("turns trust-on-first-use on but never off", () => {
    expect(applySshOverrides(web, { trustOnFirstUse: true }).ssh.trustOnFirstUse).toBe(true);
    const trusting = { ...web, ssh: { ...web.ssh, trustOnFirstUse: true } };
    expect(applySshOverrides(trusting, { trustOnFirstUse: false }).ssh.trustOnFirstUse).toBe(true);
  });

  it("sets known_hosts and leaves the spec alone when nothing is overridden", () => {
    expect(applySshOverrides(web, { knownHosts: "/k/known_hosts" }).ssh.knownHostsPath).toBe("/k/known_hosts");
    expect(applySshOverrides(web, {})).toEqual(web);
  });
});

describe("loadClusterSpec", () => {
  const dir = mkdtempSync(join(tmpdir(), "havip-cli-spec-"));
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  // The loader checks that the private key file exists before anything connects.
  const keyPath = join(dir, "id_ed25519");
  const withKey = (spec: ClusterSpec): ClusterSpec => ({ ...spec, ssh: { ...spec.ssh, privateKeyPath: keyPath } });
  const web = withKey(webSpec);
  const db = withKey(dbSpec);

  beforeAll(() => {
    writeTestKeyPair(keyPath, "havip-cli-spec-test");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads and validates a spec file, with SSH overrides applied", () => {
    const spec = loadClusterSpec({ specFile: write("spec.json", JSON.stringify(web)) }, { user: "ops" }, {});
    expect(spec.clusterName).toBe("web");
    expect(spec.ssh.user).toBe("ops");
  });

  it("loads one cluster of an outputs file with --cluster", () => {
    const outputs = write("outputs.json", JSON.stringify({ stack: { "web-spec": JSON.stringify(web), "db-spec": JSON.stringify(db) } }));
    expect(loadClusterSpec({ outputsFile: outputs, cluster: "db" }, {}, {}).virtualRouterId).toBe(52);
  });

  it(`loads the spec from $${CLUSTER_SPEC_ENV} when no file is given`, () => {
    expect(loadClusterSpec({}, {}, { [CLUSTER_SPEC_ENV]: JSON.stringify(db) }).clusterName).toBe("db");
  });

  it("prefers --spec-file over the environment", () => {
    const spec = loadClusterSpec({ specFile: write("web.json", JSON.stringify(web)) }, {}, { [CLUSTER_SPEC_ENV]: JSON.stringify(db) });
    expect(spec.clusterName).toBe("web");
  });

  it("says which cdktf flag brings a sensitive spec that an outputs file left out", () => {
    const outputs = write("no-spec.json", JSON.stringify({ "havip-cluster": { "cluster-havip-addresses": ["172.16.16.12"] } }));
    expect(() => loadClusterSpec({ outputsFile: outputs }, {}, {})).toThrow(
      `${outputs} holds no cluster spec (an output whose JSON has "specVersion": 1). With keepalived.authPass set the <id>-spec output is sensitive, and cdktf leaves it out of the file: write it with \`npx cdktf output --outputs-file ${outputs} --outputs-file-include-sensitive-outputs\``,
    );
  });

  it("reads ~/ and relative SSH paths of a spec as the operator's: home and working directory", () => {
    const relative = { ...web, ssh: { ...web.ssh, privateKeyPath: "id_ed25519", knownHostsPath: "~/.havip/known_hosts" } };
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const spec = loadClusterSpec({ specFile: write("relative.json", JSON.stringify(relative)) }, {}, { HOME: "/unused" });
      expect(spec.ssh.privateKeyPath).toBe(keyPath);
      expect(spec.ssh.knownHostsPath).toBe(join(homedir(), ".havip/known_hosts"));
    } finally {
      process.chdir(cwd);
    }
  });

  it("names every way to give a cluster when none is given", () => {
    expect(() => loadClusterSpec({}, {}, {})).toThrow(/--spec-file.*--outputs-file.*HAVIP_CLUSTER_SPEC/);
  });

  it("names the missing file", () => {
    const missing = join(dir, "missing.json");
    expect(() => loadClusterSpec({ specFile: missing }, {}, {})).toThrow(`--spec-file ${missing} cannot be read`);
  });

  it("says a file is not valid JSON", () => {
    const broken = write("broken.json", "{ specVersion: 1");
    expect(() => loadClusterSpec({ outputsFile: broken }, {}, {})).toThrow(`--outputs-file ${broken} is not valid JSON`);
  });

  it("rejects an invalid spec with a SettingsError naming the field, value and rule", () => {
    const file = write("vrid.json", JSON.stringify({ ...web, virtualRouterId: 300 }));
    let caught: unknown;
    try {
      loadClusterSpec({ specFile: file }, {}, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    const error = caught as SettingsError;
    expect(error.problems.map((p) => p.field)).toEqual(["spec.virtualRouterId"]);
    expect(error.message).toContain("cluster web");
    expect(error.message).toContain("spec.virtualRouterId 300");
    expect(error.message).toMatch(/255/);
  });
});
