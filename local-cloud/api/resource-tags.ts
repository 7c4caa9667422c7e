import type { CloudState } from "../state/cloud-state";
import { ApiError } from "../server/api-error";
import type { Params } from "./params";

/** Where a resource kind's tags live in the tag service: its service type and resource prefix (`qcs::<service>:<region>:uin/:<prefix>/<id>`). */
export const TAGGED = {
  vpc: { service: "vpc", prefix: "vpc" },
  subnet: { service: "vpc", prefix: "subnet" },
  securityGroup: { service: "cvm", prefix: "sg" },
  keyPair: { service: "cvm", prefix: "keypair" },
  placementGroup: { service: "cvm", prefix: "ps" },
  instance: { service: "cvm", prefix: "instance" },
  disk: { service: "cvm", prefix: "volume" },
  eip: { service: "vpc", prefix: "eip" },
  havip: { service: "vpc", prefix: "havip" },
} as const;

export type TaggedKind = keyof typeof TAGGED;

export function tagKey(kind: TaggedKind, id: string): string {
  return `${TAGGED[kind].service}/${TAGGED[kind].prefix}/${id}`;
}

export function tagsOf(state: Readonly<CloudState>, kind: TaggedKind, id: string): Readonly<Record<string, string>> {
  return state.tags[tagKey(kind, id)] ?? {};
}

export function setTags(state: CloudState, kind: TaggedKind, id: string, tags: Readonly<Record<string, string>>): void {
  if (Object.keys(tags).length === 0) return;
  state.tags[tagKey(kind, id)] = { ...state.tags[tagKey(kind, id)], ...tags };
}

export function dropTags(state: CloudState, kind: TaggedKind, id: string): void {
  delete state.tags[tagKey(kind, id)];
}

/** Tencent's tag limits: keys 1-127 characters, values up to 255, at most 50 tags on a resource. */
const MAX_TAG_KEY = 127;
const MAX_TAG_VALUE = 255;
export const MAX_TAGS_PER_RESOURCE = 50;

export function checkTag(key: string, value: string, where: string): void {
  if (key === "" || key.length > MAX_TAG_KEY) {
    throw new ApiError(
      "InvalidParameterValue.TagInvalidKey",
      `${where}: tag key ${JSON.stringify(key)} must be 1-${MAX_TAG_KEY} characters.`,
    );
  }
  if (value.length > MAX_TAG_VALUE) {
    throw new ApiError(
      "InvalidParameterValue.TagInvalidVal",
      `${where}: the value of tag ${JSON.stringify(key)} is longer than ${MAX_TAG_VALUE} characters.`,
    );
  }
}

/** `Tags: [{Key, Value}]` of a VPC-service create call. */
export function readVpcTags(params: Params): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of params.objectList("Tags", ["Key", "Value"]) ?? []) {
    const key = tag.requiredString("Key");
    const value = tag.string("Value") ?? "";
    checkTag(key, value, tag.name("Key"));
    if (key in tags) throw new ApiError("InvalidParameterValue.TagDuplicateKey", `The tag key ${JSON.stringify(key)} is given twice.`);
    tags[key] = value;
  }
  return tags;
}

/** `TagSpecification: [{ResourceType, Tags: [{Key, Value}]}]` of a CVM create call: the tags for `resourceType`. */
export function readCvmTagSpecification(params: Params, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const specification of params.objectList("TagSpecification", ["ResourceType", "Tags"]) ?? []) {
    const type = specification.requiredString("ResourceType");
    if (type !== resourceType) {
      throw new ApiError(
        "InvalidParameterValue",
        `${specification.name("ResourceType")} is ${JSON.stringify(type)}; this call tags \`${resourceType}\` resources.`,
      );
    }
    for (const tag of specification.objectList("Tags", ["Key", "Value"]) ?? []) {
      const key = tag.requiredString("Key");
      const value = tag.string("Value") ?? "";
      checkTag(key, value, tag.name("Key"));
      tags[key] = value;
    }
  }
  return tags;
}

/** `TagSet`/`Tags` in a VPC or CVM answer: `[{Key, Value}]`. */
export function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
