import { type StandInOptions, withStandIns } from "./stand-in-config";
import { TerraformWorkdir } from "./terraform-workdir";

export { skipTerraform, TerraformCheckError, terraformAvailable } from "./terraform-workdir";

export interface PlannedOutput {
  readonly value: unknown;
  readonly sensitive: boolean;
}

export interface TerraformCheckResult {
  /** Every `tencentcloud_*` block replaced by a stand-in. */
  readonly replaced: readonly string[];
  /** Planned output values by name (sensitive ones included, as `terraform show -json` has them). */
  readonly outputs: Readonly<Record<string, PlannedOutput>>;
  /** Planned resources by address, with their planned values. */
  readonly resources: Readonly<Record<string, Record<string, unknown>>>;
  /** The text `terraform plan` printed. */
  readonly planText: string;
}

/**
 * Puts a synthesized cdk.tf.json through Terraform itself, with built-in stand-ins for the
 * Tencent blocks: `init` (offline, built-in providers only), `validate`, and
 * `plan -refresh=false`, then reads the planned outputs from `terraform show -json`.
 * Throws TerraformCheckError with Terraform's own messages when any step fails.
 */
export function checkWithTerraform(
  cdkTfJson: string | object,
  options: StandInOptions & { readonly variables?: Readonly<Record<string, string>> } = {},
): TerraformCheckResult {
  const synthesized = (typeof cdkTfJson === "string" ? JSON.parse(cdkTfJson) : cdkTfJson) as Parameters<typeof withStandIns>[0];
  const { config, replaced } = withStandIns(synthesized, options);
  const workdir = new TerraformWorkdir();
  try {
    workdir.write(config);
    workdir.init();
    workdir.validate();
    const planText = workdir.plan(options.variables);
    const plan = workdir.showPlan() as {
      planned_values?: {
        outputs?: Record<string, { value?: unknown; sensitive?: boolean }>;
        root_module?: { resources?: { address: string; values: Record<string, unknown> }[] };
      };
    };
    const outputs = Object.fromEntries(
      Object.entries(plan.planned_values?.outputs ?? {}).map(([name, output]) => [
        name,
        { value: output.value, sensitive: output.sensitive === true },
      ]),
    );
    const resources = Object.fromEntries(
      (plan.planned_values?.root_module?.resources ?? []).map((resource) => [resource.address, resource.values]),
    );
    return { replaced, outputs, resources, planText };
  } finally {
    workdir.dispose();
  }
}
