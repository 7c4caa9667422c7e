/**
 * Installs the Tencent provider into the local filesystem mirror (from shared/terraform-providers
 * beside the checkout, or $TENCENTCLOUD_PROVIDER_DIR) and prints the CLI config that points
 * Terraform at it: `npx tsx lab/cloud/install-provider.ts`. Exit 1 when the provider cannot be had.
 */
import { PROVIDER_VERSION, providerCliConfig } from "./provider-mirror";

try {
  const config = providerCliConfig();
  process.stdout.write(`tencentcloudstack/tencentcloud ${PROVIDER_VERSION} installed; TF_CLI_CONFIG_FILE=${config}\n`);
} catch (error) {
  process.stderr.write(`cannot install the Tencent provider: ${(error as Error).message}\n`);
  process.exit(1);
}
