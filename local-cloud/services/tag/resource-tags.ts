import { createHash } from "node:crypto";
import type { ActionDefinition } from "../../api/action";
import { checkTag, MAX_TAGS_PER_RESOURCE, TAGGED, type TaggedKind, tagKey } from "../../api/resource-tags";
import { ApiError } from "../../server/api-error";
import type { CloudState } from "../../state/cloud-state";

/** `qcs::<service>:<region>:uin/<uin>:<prefix>/<id>`, the resource six-segment name of the tag service. */
const RESOURCE_NAME = /^qcs::([a-z]+):([a-z0-9-]*):uin\/(\d*):([a-z]+)\/([a-z]+-[a-z0-9]+)$/;

/** How each taggable kind is looked up in the state. */
const EXISTS: Readonly<Record<TaggedKind, (state: Readonly<CloudState>, id: string) => boolean>> = {
  vpc: (state, id) => id in state.vpcs,
  subnet: (state, id) => id in state.subnets,
  securityGroup: (state, id) => id in state.securityGroups,
  keyPair: (state, id) => id in state.keyPairs,
  placementGroup: (state, id) => id in state.placementGroups,
  instance: (state, id) => id in state.instances,
  disk: (state, id) => id in state.disks,
  eip: (state, id) => id in state.addresses,
  havip: (state, id) => id in state.havips,
};

function kindOf(service: string, prefix: string): TaggedKind | undefined {
  return (Object.keys(TAGGED) as TaggedKind[]).find((kind) => TAGGED[kind].service === service && TAGGED[kind].prefix === prefix);
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

export const ModifyResourceTags: ActionDefinition = {
  parameters: ["Resource", "ReplaceTags", "DeleteTags"],
  handle({ cloud, params }) {
    const resource = params.requiredString("Resource");
    const match = RESOURCE_NAME.exec(resource);
    if (!match)
      throw new ApiError(
        "InvalidParameterValue.ResourceDescriptionError",
        `\`Resource\` ${JSON.stringify(resource)} is not a resource name qcs::<service>:<region>:uin/:<type>/<id>.`,
      );
    const [, service, region, , prefix, id] = match;
    if (region !== cloud.config.region)
      throw new ApiError(
        "InvalidParameterValue.ResourceDescriptionError",
        `\`Resource\` names the region ${region}; this endpoint serves ${cloud.config.region}.`,
      );
    const kind = kindOf(service, prefix);
    if (!kind || !EXISTS[kind](cloud.store.state, id))
      throw new ApiError("InvalidParameterValue.ResourceDescriptionError", `The resource ${resource} does not exist.`);
    const replace = (params.objectList("ReplaceTags", ["TagKey", "TagValue", "Category"]) ?? []).map((tag) => {
      const key = tag.requiredString("TagKey");
      const value = tag.string("TagValue") ?? "";
      checkTag(key, value, tag.name("TagKey"));
      return [key, value] as const;
    });
    const remove = (params.objectList("DeleteTags", ["TagKey"]) ?? []).map((tag) => tag.requiredString("TagKey"));
    if (replace.length === 0 && remove.length === 0)
      throw new ApiError("InvalidParameterValue.DeleteTagsParamError", "Give `ReplaceTags`, `DeleteTags` or both.");
    if (replace.some(([key]) => remove.includes(key)))
      throw new ApiError("InvalidParameterValue.DeleteTagsParamError", "A tag key cannot be both replaced and deleted.");
    cloud.store.mutate((draft) => {
      const tags = { ...draft.tags[tagKey(kind, id)] };
      for (const [key, value] of replace) tags[key] = value;
      for (const key of remove) delete tags[key];
      if (Object.keys(tags).length > MAX_TAGS_PER_RESOURCE)
        throw new ApiError("LimitExceeded.ResourceAttachedTags", `A resource holds at most ${MAX_TAGS_PER_RESOURCE} tags.`);
      if (Object.keys(tags).length === 0) delete draft.tags[tagKey(kind, id)];
      else draft.tags[tagKey(kind, id)] = tags;
    });
    return {};
  },
};

export const DescribeResourceTagsByResourceIds: ActionDefinition = {
  parameters: ["ServiceType", "ResourcePrefix", "ResourceIds", "ResourceRegion", "Offset", "Limit", "Category"],
  handle({ cloud, params }) {
    const service = params.requiredString("ServiceType");
    const prefix = params.requiredString("ResourcePrefix");
    const region = params.requiredString("ResourceRegion");
    if (region !== cloud.config.region)
      throw new ApiError(
        "InvalidParameterValue.RegionInvalid",
        `\`ResourceRegion\` ${region}: this endpoint serves ${cloud.config.region}.`,
      );
    const kind = kindOf(service, prefix);
    if (!kind)
      throw new ApiError("InvalidParameterValue.ResourcePrefixInvalid", `No resource type ${service}/${prefix} carries tags here.`);
    const ids = params.stringList("ResourceIds") ?? [];
    if (ids.length === 0 || ids.length > 50)
      throw new ApiError("InvalidParameterValue.ResourceIdInvalid", "`ResourceIds` must name 1 to 50 resources.");
    const offset = params.integer("Offset", { min: 0 }) ?? 0;
    const limit = params.integer("Limit", { min: 1, max: 1000 }) ?? 15;
    const all = ids.flatMap((id) =>
      Object.entries(cloud.store.state.tags[tagKey(kind, id)] ?? {}).map(([key, value]) => ({
        TagKey: key,
        TagValue: value,
        ResourceId: id,
        TagKeyMd5: md5(key),
        TagValueMd5: md5(value),
        ServiceType: service,
        Category: "Custom",
      })),
    );
    return { TotalCount: all.length, Offset: offset, Limit: limit, Tags: all.slice(offset, offset + limit) };
  },
};
