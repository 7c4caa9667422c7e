import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The Tencent provider version every stack of the project pins. */
export const PROVIDER_VERSION = "1.83.25";
/** Where the provider mirror is kept between runs (`install-mirror.sh` skips the work when it is complete). */
export const PROVIDER_MIRROR_DIR = process.env.TENCENTCLOUD_PROVIDER_MIRROR ?? "/var/cache/tencentcloud-provider";
const REPO_ROOT = resolve(__dirname, "../..");

/**
 * `shared/terraform-providers` beside the checkout or one of its parents (a worktree sits deeper
 * than the main checkout), or $TENCENTCLOUD_PROVIDER_DIR: the provider built from its public source,
 * with the script that installs it into a filesystem mirror.
 */
export function findProviderArchive(): string | undefined {
  if (process.env.TENCENTCLOUD_PROVIDER_DIR) return process.env.TENCENTCLOUD_PROVIDER_DIR;
  for (let dir = REPO_ROOT; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dirname(dir), "shared", "terraform-providers");
    if (existsSync(join(candidate, "install-mirror.sh"))) return candidate;
  }
  return undefined;
}

/** Whether the mirror holds the provider binary and its CLI config. */
export function providerMirrorInstalled(): boolean {
  const binary = join(
    PROVIDER_MIRROR_DIR,
    "registry.terraform.io/tencentcloudstack/tencentcloud",
    PROVIDER_VERSION,
    "linux_amd64",
    `terraform-provider-tencentcloud_v${PROVIDER_VERSION}`,
  );
  return existsSync(join(PROVIDER_MIRROR_DIR, "terraformrc")) && existsSync(binary);
}

/**
 * The CLI config file (`TF_CLI_CONFIG_FILE`) that makes Terraform install the provider from the
 * mirror; installs the mirror first (once, under a lock) when it is missing. Never ~/.terraformrc.
 */
export function providerCliConfig(): string {
  if (!providerMirrorInstalled()) {
    const archive = findProviderArchive();
    if (!archive) {
      throw new Error(
        "the Tencent provider is not installed in a mirror and its archive (shared/terraform-providers beside the checkout, or $TENCENTCLOUD_PROVIDER_DIR) is not found",
      );
    }
    mkdirSync(dirname(PROVIDER_MIRROR_DIR), { recursive: true });
    execFileSync("flock", [`${PROVIDER_MIRROR_DIR}.lock`, join(archive, "install-mirror.sh"), PROVIDER_MIRROR_DIR], {
      stdio: "pipe",
      timeout: 120_000,
    });
  }
  return join(PROVIDER_MIRROR_DIR, "terraformrc");
}
