import { CLUSTER_NAME_MAX_LENGTH, CLUSTER_NAME_PATTERN, TENCENT_NAME_MAX_LENGTH } from "../limits";
import { type FieldRule, oneOfRule, problem, wrongKind } from "./field-rule";

/** The cluster's name: it prefixes every resource name, so the construct and a spec read back share this rule. */
export const CLUSTER_NAME_RULE: FieldRule = {
  rule: `must be a letter, then letters, digits, '-' or '_', at most ${CLUSTER_NAME_MAX_LENGTH} characters`,
  check(name, field) {
    if (typeof name !== "string") return [wrongKind(field, name, this.rule)];
    if (name === "") return [problem(field, name, "must not be empty")];
    if (name.length > CLUSTER_NAME_MAX_LENGTH) {
      return [problem(field, name, `is ${name.length} characters; at most ${CLUSTER_NAME_MAX_LENGTH} (it prefixes every resource name)`)];
    }
    if (!CLUSTER_NAME_PATTERN.test(name))
      return [problem(field, name, "must start with a letter and hold only letters, digits, '-' and '_'")];
    return [];
  },
};

/** A Tencent resource name (VPC, subnet, HAVIP, EIP). */
export const TENCENT_NAME_RULE: FieldRule = {
  rule: `must be 1 to ${TENCENT_NAME_MAX_LENGTH} characters`,
  check(name, field) {
    if (typeof name !== "string") return [wrongKind(field, name, this.rule)];
    if (name.trim() === "") return [problem(field, name, "must not be empty")];
    if (name.length > TENCENT_NAME_MAX_LENGTH)
      return [problem(field, name, `is ${name.length} characters; Tencent names are at most ${TENCENT_NAME_MAX_LENGTH}`)];
    return [];
  },
};

/** A value the provider takes as is (availability zone, instance type, ids): a non-blank string. */
export const NON_EMPTY_TEXT_RULE: FieldRule = {
  rule: "must not be empty",
  check(text, field) {
    if (typeof text !== "string") return [wrongKind(field, text, "must be a non-empty string")];
    return text.trim() === "" ? [problem(field, text, "must not be empty")] : [];
  },
};

/** `system_disk_type` of tencentcloud_instance: the provider docs' "Valid values". */
export const SYSTEM_DISK_TYPES = [
  "CLOUD_PREMIUM",
  "CLOUD_SSD",
  "CLOUD_BSSD",
  "CLOUD_HSSD",
  "CLOUD_TSSD",
  "CLOUD_BASIC",
  "LOCAL_BASIC",
  "LOCAL_SSD",
] as const;
export const SYSTEM_DISK_TYPE_RULE: FieldRule = oneOfRule(SYSTEM_DISK_TYPES, " (the provider's system_disk_type values)");

/**
 * `internet_charge_type` of tencentcloud_eip (provider docs, "Valid values"), less
 * BANDWIDTH_PACKAGE: that one needs a bandwidth_package_id, which HaVipCluster does not set.
 */
export const EIP_INTERNET_CHARGE_TYPES = ["TRAFFIC_POSTPAID_BY_HOUR", "BANDWIDTH_POSTPAID_BY_HOUR", "BANDWIDTH_PREPAID_BY_MONTH"] as const;
export const EIP_INTERNET_CHARGE_TYPE_RULE: FieldRule = oneOfRule(
  EIP_INTERNET_CHARGE_TYPES,
  " (BANDWIDTH_PACKAGE needs a bandwidth package id, which the construct does not set)",
);
