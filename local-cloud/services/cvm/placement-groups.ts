import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import { dropTags, readCvmTagSpecification, setTags, tagList, tagsOf } from "../../api/resource-tags";
import { ApiError } from "../../server/api-error";
import { isoNow } from "../../state/api-time";
import type { CloudState, PlacementGroupRecord } from "../../state/cloud-state";
import { isResourceId, newResourceId } from "../../state/resource-ids";

/** How many CVMs a spread placement group of each type holds (DescribeDisasterRecoverGroupQuota's defaults). */
export const PLACEMENT_GROUP_CAPACITY: Readonly<Record<string, number>> = { HOST: 50, SW: 20, RACK: 20 };
const GROUPS_PER_REGION = 50;
const NAME_MAX_LENGTH = 60;

export function findPlacementGroup(
  state: Readonly<CloudState>,
  id: string,
  parameter: string,
  notFoundCode = "ResourceNotFound.InvalidPlacementSet",
): PlacementGroupRecord {
  if (!isResourceId("ps", id)) {
    throw new ApiError(
      "InvalidParameterValue.DisasterRecoverGroupIdMalformed",
      `The value ${JSON.stringify(id)} of \`${parameter}\` is not a placement group id (ps-xxxxxxxx).`,
    );
  }
  const group = state.placementGroups[id];
  if (!group) throw new ApiError(notFoundCode, `The placement group \`${id}\` does not exist.`);
  return group;
}

export function placementGroupMembers(state: Readonly<CloudState>, id: string): string[] {
  return Object.values(state.instances)
    .filter((instance) => instance.placementGroupId === id)
    .map((instance) => instance.instanceId);
}

function groupView(state: Readonly<CloudState>, group: PlacementGroupRecord) {
  const members = placementGroupMembers(state, group.placementGroupId);
  return {
    DisasterRecoverGroupId: group.placementGroupId,
    Name: group.name,
    Type: group.type,
    CvmQuotaTotal: PLACEMENT_GROUP_CAPACITY[group.type],
    CurrentNum: members.length,
    InstanceIds: members,
    CreateTime: group.createTime,
    Affinity: group.affinity,
    ...(group.strategy === null ? {} : { Strategy: group.strategy }),
    Tags: tagList(tagsOf(state, "placementGroup", group.placementGroupId)),
  };
}

function checkName(name: string): void {
  if (name === "") throw new ApiError("MissingParameter", "The request is missing the required parameter `Name`.");
  if (name.length > NAME_MAX_LENGTH)
    throw new ApiError("InvalidParameterValue.TooLong", `\`Name\` is longer than ${NAME_MAX_LENGTH} characters.`);
}

/** A spread group; placement itself is not shown here (one host), only its bookkeeping and quota. */
export const CreateDisasterRecoverGroup: ActionDefinition = {
  parameters: ["Name", "Type", "ClientToken", "Affinity", "Strategy", "PartitionCount", "TagSpecification"],
  handle({ cloud, params }) {
    const name = params.requiredString("Name");
    checkName(name);
    const type = params.requiredString("Type");
    if (!(type in PLACEMENT_GROUP_CAPACITY))
      throw new ApiError("InvalidParameterValue.Range", `\`Type\` ${JSON.stringify(type)} must be HOST, SW or RACK.`);
    const affinity = params.integer("Affinity", { min: 1, max: 10 }) ?? 1;
    const strategy = params.string("Strategy") ?? null;
    if (strategy !== null && strategy !== "SPREAD")
      throw new ApiError("UnsupportedOperation", `Strategy ${strategy}: this local cloud has spread placement groups only.`);
    if (params.has("PartitionCount"))
      throw new ApiError("UnsupportedOperation", "Partition placement groups (`PartitionCount`) are not supported by this local cloud.");
    if (Object.keys(cloud.store.state.placementGroups).length >= GROUPS_PER_REGION) {
      throw new ApiError(
        "ResourceInsufficient.InsufficientGroupQuota",
        `This region already has ${GROUPS_PER_REGION} placement groups, the quota.`,
      );
    }
    const tags = readCvmTagSpecification(params, "ps");
    const group = cloud.store.mutate((draft) => {
      const placementGroupId = newResourceId("ps", (id) => id in draft.placementGroups);
      const record: PlacementGroupRecord = { placementGroupId, name, type, affinity, strategy, createTime: isoNow(cloud.now()) };
      draft.placementGroups[placementGroupId] = record;
      setTags(draft, "placementGroup", placementGroupId, tags);
      return record;
    });
    return {
      DisasterRecoverGroupId: group.placementGroupId,
      Type: group.type,
      Name: group.name,
      CvmQuotaTotal: PLACEMENT_GROUP_CAPACITY[group.type],
      CurrentNum: 0,
      CreateTime: group.createTime,
    };
  },
};

export const DescribeDisasterRecoverGroups: ActionDefinition = {
  parameters: ["DisasterRecoverGroupIds", "Name", "Offset", "Limit", "Filters"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("DisasterRecoverGroupIds");
    for (const id of ids ?? []) {
      if (!isResourceId("ps", id))
        throw new ApiError(
          "InvalidParameterValue.DisasterRecoverGroupIdMalformed",
          `The value ${JSON.stringify(id)} of \`DisasterRecoverGroupIds\` is not a placement group id.`,
        );
    }
    const name = params.string("Name");
    const filters = readFilters(params, ["disaster-recover-group-id"], "InvalidFilter", true);
    const matching = Object.values(state.placementGroups).filter(
      (group) =>
        (!ids || ids.includes(group.placementGroupId)) &&
        (name === undefined || group.name.includes(name)) &&
        matchesFilters(group, filters, { "disaster-recover-group-id": (g) => [g.placementGroupId] }, (g) =>
          tagsOf(state, "placementGroup", g.placementGroupId),
        ),
    );
    return { TotalCount: matching.length, DisasterRecoverGroupSet: paginate(matching, params).map((group) => groupView(state, group)) };
  },
};

export const ModifyDisasterRecoverGroupAttribute: ActionDefinition = {
  parameters: ["DisasterRecoverGroupId", "Name"],
  handle({ cloud, params }) {
    const group = findPlacementGroup(cloud.store.state, params.requiredString("DisasterRecoverGroupId"), "DisasterRecoverGroupId");
    const name = params.requiredString("Name");
    checkName(name);
    cloud.store.mutate((draft) => {
      draft.placementGroups[group.placementGroupId].name = name;
    });
    return {};
  },
};

/** Only an empty group can be deleted (DeleteDisasterRecoverGroups). */
export const DeleteDisasterRecoverGroups: ActionDefinition = {
  parameters: ["DisasterRecoverGroupIds"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("DisasterRecoverGroupIds") ?? [];
    if (ids.length === 0)
      throw new ApiError("MissingParameter", "The request is missing the required parameter `DisasterRecoverGroupIds`.");
    for (const id of ids) {
      findPlacementGroup(state, id, "DisasterRecoverGroupIds");
      const members = placementGroupMembers(state, id);
      if (members.length > 0)
        throw new ApiError("FailedOperation.PlacementSetNotEmpty", `The placement group ${id} still holds ${members.join(", ")}.`);
    }
    cloud.store.mutate((draft) => {
      for (const id of ids) {
        delete draft.placementGroups[id];
        dropTags(draft, "placementGroup", id);
      }
    });
    return {};
  },
};
