import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AUTH_PASS_ALPHABET, generateAuthPass } from "../../../lib/core/keepalived";
import { MAX_AUTH_PASS_LENGTH } from "../../../lib/core/limits";
import { validateAuthPass } from "../../../lib/core/validation";

describe("generateAuthPass", () => {
  it("makes 8 characters from the safe alphabet that validation accepts", () => {
    for (let i = 0; i < 200; i++) {
      const password = generateAuthPass((n) => randomBytes(n));
      expect(password).toHaveLength(MAX_AUTH_PASS_LENGTH);
      expect([...password].every((c) => AUTH_PASS_ALPHABET.includes(c))).toBe(true);
      expect(validateAuthPass(password, "authPass")).toEqual([]);
    }
  });

  it("is deterministic for a given random source", () => {
    const source = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
    expect(generateAuthPass(source)).toBe("ABCDEFGH");
  });

  it("draws again instead of biasing towards the first letters", () => {
    let call = 0;
    const source = (n: number) => Uint8Array.from({ length: n }, () => (call++ < 8 ? 255 : 1));
    expect(generateAuthPass(source)).toBe("BBBBBBBB");
  });
});
