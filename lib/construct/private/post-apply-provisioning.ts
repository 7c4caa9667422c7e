import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataResource, Fn, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { CLUSTER_SPEC_ENV, packageRoot, provisionArgv } from "../../handoff/provision-invocation";

function packageVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * A `terraform_data` (Terraform's built-in, no provider download) that runs the provisioner
 * after the nodes exist. The spec travels in the environment, never through a shell string;
 * `triggers_replace` re-runs it when the spec, the package (renderers) or an instance changes.
 */
export function addPostApplyProvisioning(
  scope: Construct,
  specJson: string,
  instanceIds: readonly string[],
  dependsOn: ITerraformDependable[],
  /** The spec holds the user's VRRP password: keep even its hash out of plans. */
  specHoldsSecret = false,
): DataResource {
  const specHash = Fn.sha256(specJson);
  const root = packageRoot();
  const [interpreter, script, command] = provisionArgv(root);
  return new DataResource(scope, "provision", {
    triggersReplace: {
      // An 8-character password inside otherwise known JSON could be brute-forced from a plain hash.
      spec_sha256: specHoldsSecret ? Fn.sensitive(specHash) : specHash,
      package_version: packageVersion(root),
      instance_ids: Fn.join(",", [...instanceIds]),
    },
    dependsOn,
    provisioners: [
      {
        type: "local-exec",
        interpreter: [interpreter, script],
        command,
        environment: { [CLUSTER_SPEC_ENV]: specJson },
      },
    ],
  });
}
