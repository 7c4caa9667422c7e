import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type SignedCallOptions,
  signedCall,
  startTestCloud,
  tc3Authorization,
  TEST_SECRET_ID,
  TEST_SECRET_KEY,
  type TestCloud,
} from "./local-cloud-fixture";

let test: TestCloud;
beforeAll(async () => {
  test = await startTestCloud();
});
afterAll(async () => {
  await test.close();
});

const rawCall = (options: Omit<SignedCallOptions, "target">) => signedCall({ ...options, target: { port: test.port } });

describe("the local cloud's API protocol", () => {
  it("answers a request the Node SDK signed, in the documented Response shape with a RequestId", async () => {
    const answer = await rawCall({});
    expect(answer.status).toBe(200);
    expect(answer.json.Response).toMatchObject({ TotalCount: 0, VpcSet: [] });
    expect(answer.json.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(test.call("vpc", "DescribeVpcs")).resolves.toMatchObject({ TotalCount: 0 });
  });

  it.each([
    ["a wrong secret key", { secretKey: "not-the-secret-key" }, "AuthFailure.SignatureFailure"],
    ["an unknown SecretId", { secretId: "AKIDnobodyknowsthisid00000000000000" }, "AuthFailure.SecretIdNotFound"],
    ["a timestamp ten minutes old", { timestamp: Math.floor(Date.now() / 1000) - 600 }, "AuthFailure.SignatureExpire"],
    ["an Authorization header not in the TC3 form", { authorization: "Basic Zm9vOmJhcg==" }, "AuthFailure.InvalidAuthorization"],
  ])("refuses a request with %s: %s", async (_case, options, code) => {
    const answer = await rawCall(options);
    expect(answer.json.Response.Error.Code).toBe(code);
    expect(answer.json.Response.RequestId).toBeTruthy();
  });

  it("refuses a body changed after signing", async () => {
    const answer = await rawCall({ body: '{"Limit":"1"}', authorization: signedAuthorization("{}") });
    expect(answer.json.Response.Error.Code).toBe("AuthFailure.SignatureFailure");
  });

  it("refuses a signature whose credential scope names another service", async () => {
    const answer = await rawCall({ authorization: signedAuthorization("{}", "cvm") });
    expect(answer.json.Response.Error.Code).toBe("AuthFailure.SignatureFailure");
  });

  it("refuses a call signed with a wrong secret through the SDK too", async () => {
    await expect(test.call("vpc", "DescribeVpcs", {}, { secretId: TEST_SECRET_ID, secretKey: "wrong" })).rejects.toMatchObject({
      code: "AuthFailure.SignatureFailure",
    });
  });

  it("answers an action it does not implement with UnsupportedOperation naming the action", async () => {
    const failure = await test.failure("vpc", "CreateVpnGateway", {});
    expect(failure.code).toBe("UnsupportedOperation");
    expect(failure.message).toContain("CreateVpnGateway");
  });

  it.each([
    ["a version the service does not have", { version: "2020-01-01" }, "NoSuchVersion"],
    ["another region", { region: "eu-frankfurt" }, "UnsupportedRegion"],
    ["a service it does not serve", { service: "cdb" }, "UnsupportedOperation"],
    ["a body that is not JSON", { body: "{not json" }, "InvalidParameter"],
  ])("refuses %s with %s", async (_case, options, code) => {
    expect((await rawCall(options)).json.Response.Error.Code).toBe(code);
  });

  it("refuses a parameter the action does not know with UnknownParameter naming it", async () => {
    const failure = await test.failure("vpc", "CreateVpc", { VpcName: "a", CidrBlock: "10.0.0.0/16", Colour: "blue" });
    expect(failure).toMatchObject({ code: "UnknownParameter" });
    expect(failure.message).toContain("Colour");
  });

  it.each([
    ["a missing required parameter", { CidrBlock: "10.0.0.0/16" }, "MissingParameter", "VpcName"],
    ["a CIDR block with host bits", { VpcName: "a", CidrBlock: "10.0.0.1/16" }, "InvalidParameterValue.Malformed", "10.0.0.1/16"],
    ["a public block", { VpcName: "a", CidrBlock: "8.8.0.0/16" }, "InvalidParameterValue", "8.8.0.0/16"],
    ["a name of 61 characters", { VpcName: "n".repeat(61), CidrBlock: "10.0.0.0/16" }, "InvalidParameterValue.TooLong", "VpcName"],
    ["a number where a string belongs", { VpcName: 7, CidrBlock: "10.0.0.0/16" }, "InvalidParameter", "VpcName"],
  ])("refuses %s (%s)", async (_case, params, code, named) => {
    const failure = await test.failure("vpc", "CreateVpc", params);
    expect(failure.code).toBe(code);
    expect(failure.message).toContain(named);
  });

  it("writes one request-log line per call, without bodies or keys", async () => {
    await test.call("vpc", "DescribeVpcs", { Filters: [{ Name: "vpc-name", Values: ["secret-looking-name"] }] });
    const lines = readFileSync(join(dirname(test.stateFile), "requests.log"), "utf8")
      .trim()
      .split("\n");
    const last = JSON.parse(lines[lines.length - 1]);
    expect(last).toMatchObject({ service: "vpc", action: "DescribeVpcs", region: "ap-guangzhou" });
    const log = lines.join("\n");
    expect(log).not.toContain("secret-looking-name");
    expect(log).not.toContain(TEST_SECRET_KEY);
    expect(lines.some((line) => JSON.parse(line).error === "AuthFailure.SignatureFailure")).toBe(true);
  });
});

/** The Authorization header of this test's signer for `body`, sent to the vpc host but signed for `service`. */
const signedAuthorization = (body: string, service = "vpc") => tc3Authorization({ body, service, host: `vpc.localhost:${test.port}` });
