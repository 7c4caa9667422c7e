export { type ManagedFile } from "./managed-file";
export { type RenderTarget } from "./render-target";
export {
  DEFAULT_KEEPALIVED_FILE_PATHS,
  type KeepalivedFilePaths,
  type ResolvedKeepalivedFilePaths,
  resolveKeepalivedFilePaths,
} from "./keepalived-file-paths";
export {
  KEEPALIVED_KEYWORD_SINCE,
  type KeepalivedKeyword,
  compareKeepalivedVersions,
  isKeepalivedVersion,
  isSupportedKeepalivedVersion,
  keepalivedSupports,
  parseKeepalivedVersion,
} from "./keepalived-version";
export {
  CONFIG_FAIL_OPTION_SINCE,
  CONFIG_TEST_EXIT_STATUS_RELIABLE_SINCE,
  CONFIG_TEST_SCRIPT_USER_BUG,
  type ConfigTestRun,
  type ConfigTestVerdict,
  configTestCommand,
  configTestNeedsRootScriptUser,
  configTestVerdict,
  keepalivedHasConfigTest,
} from "./keepalived-config-test";
export { type KeepalivedProcessReport, type KeepalivedRunState, isSettledRunState, keepalivedRunState } from "./keepalived-run-state";
export { AUTH_PASS_PATTERN, generateAuthPass } from "./auth-pass";
export * from "./keepalived-limits";
export { VRRP_SCRIPT_NAME, keepalivedRouterId, vrrpInstanceName } from "./keepalived-names";
export { renderKeepalivedConf } from "./render-keepalived-conf";
export { type NotifyScriptInput, renderNotifyScript } from "./render-notify-script";
export { type HealthCheckScriptInput, renderHealthCheckScript } from "./render-health-check-script";
export { renderLogrotateRule } from "./render-logrotate-rule";
export { renderNodeFiles } from "./render-node-files";
export {
  validateAuthPass,
  validateClusterSpec,
  validateHealthCheck,
  validateKeepalivedSettings,
  validateKeepalivedSource,
  validateSshSettings,
  validateWholeNumber,
} from "../validation";
export {
  DEFAULT_HEALTH_CHECK,
  type ResolvedKeepalivedSettings,
  resolveHealthCheck,
  resolveKeepalivedSettings,
} from "../resolve-keepalived-settings";
export { NONLOCAL_BIND_SYSCTL_KEY, renderNonlocalBindSysctl } from "./render-nonlocal-bind-sysctl";
export { VRRP_V3_UNICAST_SINCE, usesVrrpV3 } from "./vrrp-version";
export {
  validateAdvertInt,
  validateServiceSetup,
  validateTransitionHooks,
  validateVrrpV3Authentication,
} from "../validation/service-settings";
