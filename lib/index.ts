/**
 * The public surface of `tencentcloud-havip-cluster`. Importing it defines classes and
 * functions only: it starts no CLI, opens no connection and reads no file.
 */

// The construct (cloud side).
export { HaVipCluster } from "./construct/ha-vip-cluster";
export type {
  HaVipAddressProps,
  HaVipClusterProps,
  HaVipEipProps,
  HaVipNetworkProps,
  HaVipNodesProps,
  IngressProtocol,
  ServiceIngressRule,
} from "./construct/ha-vip-cluster-props";
export type { HaVipNetwork } from "./construct/ha-vip-network";

// The settings model shared by the construct, the renderers and the provisioner.
export type {
  ClusterSpec,
  HealthCheck,
  HealthCheckKind,
  HealthCheckTiming,
  KeepalivedSettings,
  NodeSpec,
  ResolvedHealthCheck,
  ResolvedTransitionHooks,
  ServiceSetup,
  SshSettings,
  TransitionHooks,
} from "./core/cluster-settings";
export { SettingsError, type SettingsProblem } from "./core/settings-error";

// Limits and defaults users write settings against.
export {
  ADVERT_INT_FRACTIONAL_MAX_SECONDS,
  ADVERT_INT_FRACTIONAL_MIN_SECONDS,
  ADVERT_INT_MAX_SECONDS,
  ADVERT_INT_MIN_SECONDS,
  CLUSTER_NAME_MAX_LENGTH,
  DEFAULT_ADVERT_INT_SECONDS,
  DEFAULT_HEALTH_CHECK_FALL,
  DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS,
  DEFAULT_HEALTH_CHECK_RISE,
  DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
  DEFAULT_HOOK_TIMEOUT_SECONDS,
  DEFAULT_IMAGE_NAME_REGEX,
  DEFAULT_INSTANCE_TYPE,
  DEFAULT_INTERFACE_NAME,
  DEFAULT_MAINTENANCE_FLAG_PATH,
  DEFAULT_NOTIFY_LOG_PATH,
  DEFAULT_PRIORITY,
  DEFAULT_PUBLIC_BANDWIDTH_MBPS,
  DEFAULT_SCRIPT_USER,
  DEFAULT_SYSTEM_DISK_SIZE_GB,
  DEFAULT_SYSTEM_DISK_TYPE,
  MAX_AUTH_PASS_LENGTH,
  MAX_VIPS_PER_ENI,
  MIN_KEEPALIVED_VERSION,
  PRIORITY_MAX,
  PRIORITY_MIN,
  VIRTUAL_ROUTER_ID_MAX,
  VIRTUAL_ROUTER_ID_MIN,
} from "./core/limits";

// Pure core: validation and the files each node gets.
export {
  DEFAULT_KEEPALIVED_FILE_PATHS,
  type KeepalivedFilePaths,
  type ManagedFile,
  type RenderTarget,
  renderHealthCheckScript,
  renderKeepalivedConf,
  renderLogrotateRule,
  renderNodeFiles,
  renderNonlocalBindSysctl,
  renderNotifyScript,
  resolveKeepalivedSettings,
  type ResolvedKeepalivedSettings,
  validateClusterSpec,
  validateKeepalivedSettings,
  validateKeepalivedSource,
  validateServiceSetup,
  validateSshSettings,
  validateTransitionHooks,
} from "./core/keepalived";
// A spec validated once, and its VRRP password settled into it: what rendering takes.
export {
  isValidClusterSpec,
  requireValidClusterSpec,
  type SpecValidationOptions,
  type ValidClusterSpec,
  withAuthPass,
} from "./core/validation";
export { type ClusterSpecParts, clusterSpecFromSettings } from "./core/cluster-spec-from-settings";
// The rules behind them, for a caller that checks one value (a form, another tool's config).
export {
  EIP_INTERNET_CHARGE_TYPES,
  SYSTEM_DISK_TYPES,
  validateAuthPass,
  validateHealthCheck,
  validateSshPublicKey,
} from "./core/validation";

// The provisioner, for scripts: the same entry `havip-cluster provision` and the construct's local-exec use.
export { provisionCluster, type ProvisionOptions } from "./provisioner/provision-cluster";
export type { NodePreview, NodeReport, ProvisionEvent, ProvisionReport } from "./provisioner/provision-events";
export type { NodeStep, NodeStepPlan } from "./core/plan/plan-node-steps";
export { formatProvisionReport } from "./provisioner/provision-report-format";

// The spec contract: how a cluster spec is found and read (a spec file, stack outputs, the environment).
export {
  type ClusterSpecSource,
  findClusterSpecs,
  loadClusterSpec,
  selectClusterSpec,
  SpecSourceError,
  type SshOverrides,
} from "./spec/load-cluster-spec";
export { CLUSTER_SPEC_ENV } from "./spec/provision-invocation";

// Operations on a running cluster: what `havip-cluster status` and `failover-test` print.
export { type ClusterStatusReport, type CloudOptions, formatStatusReport, readStatusReport } from "./operations/status-report";
export {
  type FailoverTestOptions,
  type FailoverTestReport,
  formatFailoverReport,
  runFailoverTestReport,
} from "./operations/failover-test-report";

/**
 * The Tencent Cloud provider bindings the construct is built on (provider, VPC, subnet,
 * security group, EIP, CVM, HAVIP and their data sources), so a stack needs no `cdktf get`
 * of its own for them: `new tencentcloud.provider.TencentcloudProvider(stack, "tencentcloud", {})`.
 */
export * as tencentcloud from "../.gen/providers/tencentcloud";
