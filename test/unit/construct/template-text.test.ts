import { describe, expect, it } from "vitest";
import { jsonTemplate } from "../../../lib/construct/private/terraform-text";
import { escapeTemplateText, joinTemplate } from "../../../lib/core/terraform";

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
