import { inspect } from "util";
import { describe, expect, it } from "vitest";
import { readTencentCloudCredentials } from "../../../lib/cloud/credentials";
import { SettingsError } from "../../../lib/core/settings-error";

const SECRET_KEY = "key-that-must-never-be-shown-42";
const TOKEN = "token-that-must-never-be-shown-42";

function errorOf(env: NodeJS.ProcessEnv): SettingsError {
  try {
    readTencentCloudCredentials(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("expected a SettingsError");
}

describe("readTencentCloudCredentials", () => {
  it("returns undefined when neither the secret id nor the secret key is set", () => {
    expect(readTencentCloudCredentials({ TENCENTCLOUD_REGION: "ap-guangzhou", PATH: "/usr/bin" })).toBeUndefined();
  });

  it("treats empty and blank values as unset", () => {
    expect(readTencentCloudCredentials({ TENCENTCLOUD_SECRET_ID: "", TENCENTCLOUD_SECRET_KEY: "  " })).toBeUndefined();
  });

  it("reads the secret id, secret key, region and session token", () => {
    const credentials = readTencentCloudCredentials({
      TENCENTCLOUD_SECRET_ID: "AKIDexample",
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
      TENCENTCLOUD_REGION: "ap-guangzhou",
      TENCENTCLOUD_SESSION_TOKEN: TOKEN,
    });
    expect(credentials?.secretId).toBe("AKIDexample");
    expect(credentials?.secretKey).toBe(SECRET_KEY);
    expect(credentials?.region).toBe("ap-guangzhou");
    expect(credentials?.sessionToken).toBe(TOKEN);
  });

  it("accepts the Terraform provider's TENCENTCLOUD_SECURITY_TOKEN as the session token", () => {
    const credentials = readTencentCloudCredentials({
      TENCENTCLOUD_SECRET_ID: "AKIDexample",
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
      TENCENTCLOUD_REGION: "na-siliconvalley",
      TENCENTCLOUD_SECURITY_TOKEN: TOKEN,
    });
    expect(credentials?.sessionToken).toBe(TOKEN);
  });

  it("leaves the session token undefined for permanent keys", () => {
    const credentials = readTencentCloudCredentials({
      TENCENTCLOUD_SECRET_ID: "AKIDexample",
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
      TENCENTCLOUD_REGION: "ap-shanghai-fsi",
    });
    expect(credentials?.sessionToken).toBeUndefined();
  });

  it("names TENCENTCLOUD_SECRET_KEY when only the secret id is set", () => {
    const error = errorOf({ TENCENTCLOUD_SECRET_ID: "AKIDexample", TENCENTCLOUD_REGION: "ap-guangzhou" });
    expect(error.message).toBe(
      "Tencent Cloud credentials: TENCENTCLOUD_SECRET_KEY (not set) is required when TENCENTCLOUD_SECRET_ID is set",
    );
  });

  it("names TENCENTCLOUD_SECRET_ID when only the secret key is set, without showing the key", () => {
    const error = errorOf({ TENCENTCLOUD_SECRET_KEY: SECRET_KEY, TENCENTCLOUD_REGION: "ap-guangzhou" });
    expect(error.problems.map((problem) => problem.field)).toEqual(["TENCENTCLOUD_SECRET_ID"]);
    expect(error.message).not.toContain(SECRET_KEY);
  });

  it("names TENCENTCLOUD_REGION when the region is missing", () => {
    const error = errorOf({ TENCENTCLOUD_SECRET_ID: "AKIDexample", TENCENTCLOUD_SECRET_KEY: SECRET_KEY });
    expect(error.message).toBe(
      "Tencent Cloud credentials: TENCENTCLOUD_REGION (not set) is required with API credentials (e.g. ap-guangzhou)",
    );
  });

  it("rejects a region that is not a region name", () => {
    const error = errorOf({
      TENCENTCLOUD_SECRET_ID: "AKIDexample",
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
      TENCENTCLOUD_REGION: "Guangzhou",
    });
    expect(error.message).toContain('TENCENTCLOUD_REGION "Guangzhou" is not a region name like ap-guangzhou');
  });

  it("rejects two different tokens, showing only their length", () => {
    const error = errorOf({
      TENCENTCLOUD_SECRET_ID: "AKIDexample",
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
      TENCENTCLOUD_REGION: "ap-guangzhou",
      TENCENTCLOUD_SESSION_TOKEN: TOKEN,
      TENCENTCLOUD_SECURITY_TOKEN: "another-token",
    });
    expect(error.message).toBe(
      "Tencent Cloud credentials: TENCENTCLOUD_SECURITY_TOKEN (13 characters) differs from TENCENTCLOUD_SESSION_TOKEN; set only one of them",
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it("keeps the secret key and token out of JSON, spreads and console output", () => {
    const credentials = readTencentCloudCredentials({
      TENCENTCLOUD_SECRET_ID: "AKIDexample",
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
      TENCENTCLOUD_REGION: "ap-guangzhou",
      TENCENTCLOUD_SESSION_TOKEN: TOKEN,
    });
    for (const printed of [JSON.stringify(credentials), inspect(credentials), JSON.stringify({ ...credentials })]) {
      expect(printed).toContain("AKIDexample");
      expect(printed).not.toContain(SECRET_KEY);
      expect(printed).not.toContain(TOKEN);
    }
  });
});
