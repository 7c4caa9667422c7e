import { describe, expect, it } from "vitest";
import { deployRows } from "../../../bench/bench-report";
import { provisioningSecondsOf, type DeploySample } from "../../../bench/deploy-timing";

describe("the deploy benchmark's split of an apply", () => {
  it("adds up the creation times of the terraform_data resources (the construct's local-exec) from Terraform's output", () => {
    const output = [
      "havip-cluster  tencentcloud_instance.cluster_primary_F2A6F9DA: Creation complete after 1s [id=ins-x1c0dzre]",
      "havip-cluster  terraform_data.cluster_primary-gate_8118AF41: Creation complete after 21s [id=4f21c81b]",
      "havip-cluster  terraform_data.cluster_secondary-gate_975563E0: Creation complete after 1m7s [id=3b26967e]",
      "terraform_data.cluster_provision_E921923F: Creation complete after 2s [id=3dc4759c]",
      "terraform_data.cluster_primary-gate_8118AF41: Destruction complete after 0s",
    ].join("\n");
    expect(provisioningSecondsOf(output)).toBe(21 + 67 + 2);
    expect(provisioningSecondsOf("No changes. Your infrastructure matches the configuration.")).toBe(0);
  });

  it("reports each step's total, Terraform's part and the provisioning part as min / median / max", () => {
    const step = (totalSeconds: number, provisioningSeconds: number) => ({ totalSeconds, provisioningSeconds });
    const samples: DeploySample[] = [
      { first: step(50, 40), noChange: step(15, 0), replaceOneNode: step(40, 25), destroy: step(12, 0) },
      { first: step(60, 44), noChange: step(14, 0), replaceOneNode: step(42, 30), destroy: step(10, 0) },
    ];
    const [first, , replace] = deployRows(samples);
    expect(first).toMatchObject({
      step: "first",
      totalSeconds: { min: 50, median: 55, max: 60 },
      provisioningSeconds: { min: 40, median: 42, max: 44 },
      terraformSeconds: { min: 10, median: 13, max: 16 },
    });
    expect(replace.terraformSeconds).toMatchObject({ min: 12, max: 15 });
  });
});
