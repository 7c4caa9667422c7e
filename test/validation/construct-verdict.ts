import { Testing, TerraformStack } from "cdktf";
import { HaVipCluster, type HaVipClusterProps } from "../../lib/construct";
import { SettingsError } from "../../lib/core/settings-error";

export type Verdict = { readonly kind: "synth"; readonly json: string } | { readonly kind: "refused"; readonly error: SettingsError };

/** Builds the cluster from `props` and synthesizes it; anything but a SettingsError propagates and fails the property. */
export function constructVerdict(props: unknown): Verdict {
  const stack = new TerraformStack(Testing.app(), "test");
  try {
    new HaVipCluster(stack, "web", props as HaVipClusterProps);
  } catch (error) {
    if (error instanceof SettingsError) return { kind: "refused", error };
    throw error;
  }
  return { kind: "synth", json: Testing.synth(stack) };
}
