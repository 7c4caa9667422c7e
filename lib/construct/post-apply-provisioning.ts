import { DataResource, Fn, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { ClusterSpec, SshSettings } from "../core/cluster-settings";
import { CLUSTER_SPEC_ENV, PREFLIGHT_ENV, packageRoot, packageVersion, preflightArgv, provisionArgv } from "../spec/provision-invocation";
import { jsonLocal, terraformText } from "./private/terraform-text";

/**
 * Where the construct's local-execs run: the directory cdktf was started from, so a `~/` or
 * relative SSH path in the spec names the same file it named at synth. A provisioner's settings
 * are not part of any resource's state, so this absolute path never makes a diff between operators.
 */
function localExecDirectory(): string {
  return terraformText(process.cwd());
}

export interface ProvisioningRun {
  /** Construct id of the `terraform_data`. @default "provision" */
  readonly id?: string;
  /** Arguments after `provision`, e.g. `["--node", "primary"]`. @default [] */
  readonly args?: readonly string[];
  /** When it runs again. @default - the spec, the package version or an instance changes */
  readonly triggersReplace?: Record<string, unknown>;
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
  /** Another run than the whole pair's, e.g. one node's deploy gate. */
  run: ProvisioningRun = {},
): DataResource {
  const specHash = Fn.sha256(specJson);
  const root = packageRoot();
  // local-exec appends `command` to `interpreter` as one last argument: no shell parses either.
  const argv = [...provisionArgv(root), ...(run.args ?? [])];
  return new DataResource(scope, run.id ?? "provision", {
    triggersReplace: run.triggersReplace ?? {
      // An 8-character password inside otherwise known JSON could be brute-forced from a plain hash.
      spec_sha256: specHoldsSecret ? Fn.sensitive(specHash) : specHash,
      package_version: packageVersion(root),
      instance_ids: Fn.join(",", [...instanceIds]),
    },
    dependsOn,
    provisioners: [
      {
        type: "local-exec",
        interpreter: argv.slice(0, -1),
        command: argv[argv.length - 1],
        environment: { [CLUSTER_SPEC_ENV]: specJson },
        workingDir: localExecDirectory(),
      },
    ],
  });
}

/**
 * A `terraform_data` whose local-exec runs `havip-cluster preflight` on the operator's machine
 * before anything else of the cluster is created (the caller makes every resource depend on it):
 * the SSH key (file or agent), host-key trust and the known_hosts file, so a deploy that could not
 * provision the nodes stops before the first billed resource. It runs again when those settings
 * or the package change; its input holds no secret, so Terraform shows its message.
 */
export function addDeployPreflight(scope: Construct, input: { readonly clusterName: string; readonly ssh: SshSettings }): DataResource {
  const inputJson = jsonLocal(scope, "preflight-input", { clusterName: input.clusterName, ssh: input.ssh });
  const root = packageRoot();
  const argv = preflightArgv(root);
  return new DataResource(scope, "preflight", {
    triggersReplace: { input_sha256: Fn.sha256(inputJson), package_version: packageVersion(root) },
    provisioners: [
      {
        type: "local-exec",
        interpreter: argv.slice(0, -1),
        command: argv[argv.length - 1],
        environment: { [PREFLIGHT_ENV]: inputJson },
        workingDir: localExecDirectory(),
      },
    ],
  });
}

/**
 * A cluster spec as a JSON string expression, kept in a Terraform local named `id`: literal
 * fields as written, Terraform expressions (addresses known after apply, a sensitive password)
 * as `jsonencode(...)`. This is how HaVipCluster writes `specJson`.
 */
export function clusterSpecJson(scope: Construct, id: string, spec: ClusterSpec): string {
  return jsonLocal(scope, id, spec);
}
