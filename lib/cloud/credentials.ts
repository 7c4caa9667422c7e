import { SettingsProblem, throwIfProblems } from "../core/settings-error";

/** The provider's standard environment variables, shared with the Terraform provider and tccli. */
export const TENCENTCLOUD_SECRET_ID_VARIABLE = "TENCENTCLOUD_SECRET_ID";
export const TENCENTCLOUD_SECRET_KEY_VARIABLE = "TENCENTCLOUD_SECRET_KEY";
export const TENCENTCLOUD_REGION_VARIABLE = "TENCENTCLOUD_REGION";
export const TENCENTCLOUD_SESSION_TOKEN_VARIABLE = "TENCENTCLOUD_SESSION_TOKEN";
/** The Terraform provider reads the temporary-credential token from this name instead. */
export const TENCENTCLOUD_SECURITY_TOKEN_VARIABLE = "TENCENTCLOUD_SECURITY_TOKEN";

/**
 * API credentials for one region. `secretKey` and `sessionToken` are not enumerable, so
 * `JSON.stringify`, object spread and `console.log` of this object never show them.
 */
export interface TencentCloudCredentials {
  readonly secretId: string;
  readonly secretKey: string;
  /** e.g. `ap-guangzhou`. */
  readonly region: string;
  /** Present for temporary (STS / CAM role) credentials. */
  readonly sessionToken?: string;
}

const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

/**
 * Reads credentials from the environment. Returns undefined when neither the secret id nor the
 * secret key is set (the cloud checks are then skipped); throws a SettingsError naming the
 * variable when the set is incomplete or malformed. Secret values never appear in the error.
 */
export function readTencentCloudCredentials(env: NodeJS.ProcessEnv): TencentCloudCredentials | undefined {
  const secretId = nonEmpty(env[TENCENTCLOUD_SECRET_ID_VARIABLE]);
  const secretKey = nonEmpty(env[TENCENTCLOUD_SECRET_KEY_VARIABLE]);
  if (secretId === undefined && secretKey === undefined) return undefined;

  const region = nonEmpty(env[TENCENTCLOUD_REGION_VARIABLE]);
  const sessionToken = nonEmpty(env[TENCENTCLOUD_SESSION_TOKEN_VARIABLE]);
  const securityToken = nonEmpty(env[TENCENTCLOUD_SECURITY_TOKEN_VARIABLE]);

  const problems: SettingsProblem[] = [];
  if (secretId === undefined) {
    problems.push({
      field: TENCENTCLOUD_SECRET_ID_VARIABLE,
      value: "(not set)",
      rule: `is required when ${TENCENTCLOUD_SECRET_KEY_VARIABLE} is set`,
    });
  }
  if (secretKey === undefined) {
    problems.push({
      field: TENCENTCLOUD_SECRET_KEY_VARIABLE,
      value: "(not set)",
      rule: `is required when ${TENCENTCLOUD_SECRET_ID_VARIABLE} is set`,
    });
  }
  if (region === undefined) {
    problems.push({
      field: TENCENTCLOUD_REGION_VARIABLE,
      value: "(not set)",
      rule: "is required with API credentials (e.g. ap-guangzhou)",
    });
  } else if (!REGION_PATTERN.test(region)) {
    problems.push({
      field: TENCENTCLOUD_REGION_VARIABLE,
      value: JSON.stringify(region),
      rule: "is not a region name like ap-guangzhou",
    });
  }
  if (sessionToken !== undefined && securityToken !== undefined && sessionToken !== securityToken) {
    problems.push({
      field: TENCENTCLOUD_SECURITY_TOKEN_VARIABLE,
      value: `(${securityToken.length} characters)`,
      rule: `differs from ${TENCENTCLOUD_SESSION_TOKEN_VARIABLE}; set only one of them`,
    });
  }
  throwIfProblems("Tencent Cloud credentials", problems);

  return makeCredentials({
    secretId: secretId as string,
    secretKey: secretKey as string,
    region: region as string,
    sessionToken: sessionToken ?? securityToken,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function makeCredentials(values: TencentCloudCredentials): TencentCloudCredentials {
  const credentials = { secretId: values.secretId, region: values.region };
  Object.defineProperty(credentials, "secretKey", { value: values.secretKey, enumerable: false });
  if (values.sessionToken !== undefined) {
    Object.defineProperty(credentials, "sessionToken", { value: values.sessionToken, enumerable: false });
  }
  return Object.freeze(credentials) as TencentCloudCredentials;
}
