import { describe, expect, it } from "vitest";
import { joinTemplate } from "../../../lib/core/terraform";
import { checkWithTerraform, skipTerraform } from "../../fixtures/terraform/terraform-check";

const SAMPLES = [
  'q"b\\s ${file("/etc/passwd")} %{ if true }x%{ endif }',
  "$${lit} %%{lit} $$$${ %%%{ trailing $",
  "line\nbreak\r\n\ttab ü 漢字 🙂",
  "$",
  "",
];

describe.skipIf(skipTerraform)("escaped text through Terraform", () => {
  it("reads back byte for byte, alone and around an interpolation", () => {
    const output = Object.fromEntries(
      SAMPLES.flatMap((text, index) => [
        [`alone_${index}`, { value: joinTemplate([text]) }],
        [`around_${index}`, { value: joinTemplate([text, { interpolation: "${var.x}" }, text]) }],
      ]),
    );
    const result = checkWithTerraform({ variable: { x: { type: "string" } }, output }, { variables: { x: "<x>" } });
    SAMPLES.forEach((text, index) => {
      expect(result.outputs[`alone_${index}`].value).toBe(text);
      expect(result.outputs[`around_${index}`].value).toBe(`${text}<x>${text}`);
    });
  });
});
