import { randomInt } from "node:crypto";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Tencent's resource id shape: a prefix, a dash and 8 lower-case letters or digits (`vpc-3x5ja0b2`). */
export const RESOURCE_ID_PATTERN = /^[a-z]+-[a-z0-9]{8}$/;

/** A new id `<prefix>-xxxxxxxx` that `taken` does not know yet. */
export function newResourceId(prefix: string, taken: (id: string) => boolean): string {
  for (;;) {
    let suffix = "";
    for (let i = 0; i < 8; i++) suffix += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
    const id = `${prefix}-${suffix}`;
    if (!taken(id)) return id;
  }
}

/** Whether `id` has the shape of an id with this prefix. */
export function isResourceId(prefix: string, id: string): boolean {
  return id.startsWith(`${prefix}-`) && RESOURCE_ID_PATTERN.test(id);
}
