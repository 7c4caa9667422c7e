export { showValue, kindOf, isPlainObject } from "./show-value";
export {
  BOOLEAN_RULE,
  type FieldRule,
  type RuleTable,
  checkFields,
  checkOptional,
  checkRequired,
  oneOfRule,
  problem,
  textRule,
  wholeNumberRule,
  wrongKind,
} from "./field-rule";
export { closestKey, keyPath, unknownKeyProblem, unknownKeyProblems } from "./unknown-keys";
export { AUTH_PASS_RULE, validateAuthPass } from "./auth-pass-rule";
export { KEEPALIVED_RULES, KEEPALIVED_SETTINGS_KEYS, SAFE_ABSOLUTE_PATH, validateKeepalivedSettings } from "./keepalived-rules";
export { validateHealthCheck, validateWrittenHealthCheck } from "./health-check";
export { OPERATOR_FILE_PATH_RULE, JUMP_HOST_RULE, LOGIN_USER_RULE, PORT_RULE, SSH_HOST_RULE } from "./network-rules";
export { SSH_SETTINGS_KEYS, validateSshSettings } from "./ssh-settings";
export { validateKeepalivedSource } from "./keepalived-source";
export { SSH_PUBLIC_KEY_TYPES, sshPublicKeyFlaw, validateSshPublicKey } from "./ssh-public-key";
export {
  CLUSTER_NAME_RULE,
  EIP_INTERNET_CHARGE_TYPES,
  EIP_INTERNET_CHARGE_TYPE_RULE,
  NON_EMPTY_TEXT_RULE,
  SYSTEM_DISK_TYPES,
  SYSTEM_DISK_TYPE_RULE,
  TENCENT_NAME_RULE,
} from "./tencent-rules";
export { CLUSTER_SPEC_KEYS, LAB_OPERATOR_NAMESPACE_RULE, specLabel, validateClusterSpec } from "./cluster-spec";
export {
  isValidClusterSpec,
  requireValidClusterSpec,
  type SpecValidationOptions,
  type ValidClusterSpec,
  withAuthPass,
  withOperatorPaths,
  withScriptUser,
} from "./valid-cluster-spec";
export { validateWholeNumber } from "./field-rule";
export {
  ADVERT_INT_FIELD_RULE,
  RESOLVED_SERVICE_RULES,
  SERVICE_RULES,
  validateAdvertInt,
  validateServiceSetup,
  validateTransitionHooks,
  validateVrrpV3Authentication,
} from "./service-settings";
