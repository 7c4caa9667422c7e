import { describe, expect, it } from "vitest";
import { jsonTemplate } from "../../lib/construct/private/terraform-text";
import { escapeTemplateText, joinTemplate } from "../../lib/core/terraform";
import { checkWithTerraform, skipTerraform } from "./terraform-check";

describe("escapeTemplateText", () => {
  it.each([
    ["plain text", "plain text"],
    ['${file("/etc/passwd")}', '$${file("/etc/passwd")}'],
    ["%{ if true }x%{ endif }", "%%{ if true }x%%{ endif }"],
    ["already $${escaped} and %%{escaped}", "already $$${escaped} and %%%{escaped}"],
    ["a lone $ or % or { stays", "a lone $ or % or { stays"],
    ['quotes " and \\ are left to JSON', 'quotes " and \\ are left to JSON'],
  ])("writes %j as %j", (text, escaped) => {
    expect(escapeTemplateText(text)).toBe(escaped);
  });
});

describe("joinTemplate", () => {
  it("escapes the literal parts and keeps the interpolations as written", () => {
    expect(joinTemplate(["a${b}", { interpolation: "${var.x}" }, "%{c}"])).toBe("a$${b}${var.x}%%{c}");
  });

  it("writes dollars right before an interpolation as a string interpolation, so they do not form $${", () => {
    expect(joinTemplate(["cost $$", { interpolation: "${var.x}" }, "$"])).toBe('cost ${"$$"}${var.x}$');
  });
});

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

describe("jsonTemplate", () => {
  it("writes literal values as JSON text with the template syntax in strings doubled", () => {
    expect(jsonTemplate({ a: 'x"${y}\\', n: 1.5, l: [true, null, undefined], skipped: undefined, o: {} })).toBe(
      '{"a":"x\\"$${y}\\\\","n":1.5,"l":[true,null,null],"o":{}}',
    );
  });

  it("refuses a value JSON cannot hold, naming where it is", () => {
    expect(() => jsonTemplate({ timing: { interval: Number.NaN } })).toThrow("value.timing.interval is NaN, which JSON cannot hold");
  });
});
