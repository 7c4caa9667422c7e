import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import type { Params } from "../../api/params";
import { dropTags, readVpcTags, setTags, tagList, tagsOf } from "../../api/resource-tags";
import { parseIpv4Block } from "../../network/ipv4-block";
import { ApiError, invalidParameterValue, notFound } from "../../server/api-error";
import { isoNow, vpcTime } from "../../state/api-time";
import type { CloudState, SecurityGroupPolicyRecord, SecurityGroupRecord } from "../../state/cloud-state";
import { newResourceId } from "../../state/resource-ids";
import { syncSecurityRules } from "./security-rules-sync";
import { checkVpcServiceId } from "./vpc-lookups";
import { checkName } from "./vpcs";

/** Tencent's limits: 100 rules per direction, descriptions of up to 100 characters. */
const MAX_POLICIES_PER_DIRECTION = 100;
const POLICY_DESCRIPTION_MAX = 100;
const GROUP_DESCRIPTION_MAX = 100;
const PROTOCOLS = ["TCP", "UDP", "ICMP", "ICMPV6", "GRE", "ALL"];
const POLICY_FIELDS = [
  "PolicyIndex",
  "Protocol",
  "Port",
  "ServiceTemplate",
  "CidrBlock",
  "Ipv6CidrBlock",
  "SecurityGroupId",
  "AddressTemplate",
  "Action",
  "PolicyDescription",
  "ModifyTime",
  "Priority",
];

export function findSecurityGroup(state: Readonly<CloudState>, id: string, name = "SecurityGroupId"): SecurityGroupRecord {
  checkVpcServiceId("sg", name, id);
  const group = state.securityGroups[id];
  if (!group) throw notFound("ResourceNotFound", "security group", id);
  return group;
}

function groupView(state: Readonly<CloudState>, group: SecurityGroupRecord) {
  return {
    SecurityGroupId: group.securityGroupId,
    SecurityGroupName: group.name,
    SecurityGroupDesc: group.description,
    ProjectId: group.projectId,
    IsDefault: false,
    CreatedTime: vpcTime(group.createdTime),
    UpdateTime: vpcTime(group.updateTime),
    TagSet: tagList(tagsOf(state, "securityGroup", group.securityGroupId)),
  };
}

/** Ports: `ALL`, or for TCP/UDP a port, a comma-separated list of ports, or a range `a-b` (1-65535). */
function checkPort(port: string, protocol: string, where: string): string {
  if (port.toUpperCase() === "ALL") return port;
  if (protocol !== "TCP" && protocol !== "UDP") {
    throw invalidParameterValue(
      where,
      port,
      `a port can only be given with TCP or UDP (protocol ${protocol} takes ALL)`,
      "InvalidParameterValue.Range",
    );
  }
  const valid = (text: string) => /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
  const ok = port.split(",").every((part) => {
    const range = part.split("-");
    return range.length === 2
      ? valid(range[0]) && valid(range[1]) && Number(range[0]) <= Number(range[1])
      : range.length === 1 && valid(part);
  });
  if (!ok)
    throw invalidParameterValue(
      where,
      port,
      "must be ALL, a port 1-65535, ports separated by commas, or a range such as 8000-8010",
      "InvalidParameterValue.Range",
    );
  return port;
}

function readPolicy(state: Readonly<CloudState>, policy: Params, now: string): SecurityGroupPolicyRecord {
  const action = policy.requiredString("Action").toUpperCase();
  if (action !== "ACCEPT" && action !== "DROP") throw invalidParameterValue(policy.name("Action"), action, "must be ACCEPT or DROP");
  if (policy.has("ServiceTemplate") || policy.has("AddressTemplate")) {
    throw new ApiError(
      "UnsupportedOperation",
      `${policy.name("ServiceTemplate")}/AddressTemplate: parameter templates are not supported by this local cloud.`,
    );
  }
  const protocol = (policy.string("Protocol") ?? "ALL").toUpperCase();
  if (!PROTOCOLS.includes(protocol))
    throw invalidParameterValue(policy.name("Protocol"), protocol, `must be one of ${PROTOCOLS.join(", ")}`);
  const port = checkPort(policy.string("Port") ?? "ALL", protocol, policy.name("Port"));
  const peers = {
    CidrBlock: policy.string("CidrBlock") ?? "",
    Ipv6CidrBlock: policy.string("Ipv6CidrBlock") ?? "",
    SecurityGroupId: policy.string("SecurityGroupId") ?? "",
  };
  const given = Object.entries(peers).filter(([, value]) => value !== "");
  if (given.length > 1)
    throw new ApiError("InvalidParameter.Coexist", `${policy.name()}: ${given.map(([name]) => name).join(" and ")} exclude each other.`);
  if (peers.CidrBlock !== "" && !parseCidrLoosely(peers.CidrBlock)) {
    throw invalidParameterValue(
      policy.name("CidrBlock"),
      peers.CidrBlock,
      "must be an IPv4 address or CIDR block",
      "InvalidParameterValue.Malformed",
    );
  }
  if (peers.SecurityGroupId !== "") findSecurityGroup(state, peers.SecurityGroupId, policy.name("SecurityGroupId"));
  const description = policy.string("PolicyDescription") ?? "";
  if (description.length > POLICY_DESCRIPTION_MAX) {
    throw invalidParameterValue(
      policy.name("PolicyDescription"),
      description,
      `must be at most ${POLICY_DESCRIPTION_MAX} characters`,
      "InvalidParameterValue.TooLong",
    );
  }
  return {
    protocol,
    port,
    cidrBlock: peers.CidrBlock,
    ipv6CidrBlock: peers.Ipv6CidrBlock,
    securityGroupId: peers.SecurityGroupId,
    action,
    description,
    modifyTime: now,
  };
}

/** Tencent takes any CIDR notation (host bits set or not) and a bare address. */
function parseCidrLoosely(text: string): boolean {
  const [address, prefix = "32"] = text.split("/");
  const block = parseIpv4Block(`${address}/32`);
  return block !== undefined && /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32;
}

function policyView(policy: SecurityGroupPolicyRecord, index: number) {
  return {
    PolicyIndex: index,
    Protocol: policy.protocol,
    Port: policy.port,
    ServiceTemplate: { ServiceId: "", ServiceGroupId: "" },
    CidrBlock: policy.cidrBlock,
    Ipv6CidrBlock: policy.ipv6CidrBlock,
    SecurityGroupId: policy.securityGroupId,
    AddressTemplate: { AddressId: "", AddressGroupId: "" },
    Action: policy.action,
    PolicyDescription: policy.description,
    ModifyTime: vpcTime(policy.modifyTime),
  };
}

function readPolicySet(params: Params, state: Readonly<CloudState>, now: string) {
  const set = params.object("SecurityGroupPolicySet", ["Version", "Egress", "Ingress", "PolicyStatistics"]);
  if (!set) throw new ApiError("MissingParameter", "The request is missing the required parameter `SecurityGroupPolicySet`.");
  const read = (direction: "Ingress" | "Egress") => {
    const policies = (set.objectList(direction, POLICY_FIELDS) ?? []).map((policy) => readPolicy(state, policy, now));
    if (policies.length > MAX_POLICIES_PER_DIRECTION) {
      throw new ApiError(
        "LimitExceeded",
        `${set.name(direction)} has ${policies.length} rules; a direction holds at most ${MAX_POLICIES_PER_DIRECTION}.`,
      );
    }
    return policies;
  };
  return { set, version: set.string("Version"), ingress: read("Ingress"), egress: read("Egress") };
}

export const CreateSecurityGroup: ActionDefinition = {
  parameters: ["GroupName", "GroupDescription", "ProjectId", "Tags"],
  handle({ cloud, params }) {
    const name = params.requiredString("GroupName");
    checkName(name, "GroupName");
    const description = params.requiredString("GroupDescription");
    if (description.length > GROUP_DESCRIPTION_MAX) {
      throw invalidParameterValue(
        "GroupDescription",
        description,
        `must be at most ${GROUP_DESCRIPTION_MAX} characters`,
        "InvalidParameterValue.TooLong",
      );
    }
    const projectId = params.string("ProjectId") ?? "0";
    if (projectId !== "0")
      throw new ApiError("InvalidParameterValue", `ProjectId ${projectId}: this local cloud has only the default project 0.`);
    const tags = readVpcTags(params);
    const now = isoNow(cloud.now());
    const group = cloud.store.mutate((draft) => {
      const securityGroupId = newResourceId("sg", (id) => id in draft.securityGroups);
      const record: SecurityGroupRecord = {
        securityGroupId,
        name,
        description,
        projectId,
        createdTime: now,
        updateTime: now,
        policyVersion: 0,
        ingress: [],
        egress: [],
      };
      draft.securityGroups[securityGroupId] = record;
      setTags(draft, "securityGroup", securityGroupId, tags);
      return record;
    });
    return { SecurityGroup: groupView(cloud.store.state, group) };
  },
};

export const DescribeSecurityGroups: ActionDefinition = {
  parameters: ["SecurityGroupIds", "Filters", "Offset", "Limit", "OrderField", "OrderDirection"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("SecurityGroupIds");
    const filters = readFilters(
      params,
      ["security-group-id", "project-id", "security-group-name", "is-default"],
      "InvalidParameter.FilterInvalidKey",
      true,
    );
    if (ids && filters.length > 0) throw new ApiError("InvalidParameter.Coexist", "SecurityGroupIds and Filters cannot be given together.");
    for (const id of ids ?? []) findSecurityGroup(state, id, "SecurityGroupIds");
    const matching = Object.values(state.securityGroups).filter(
      (group) =>
        (!ids || ids.includes(group.securityGroupId)) &&
        matchesFilters(
          group,
          filters,
          {
            "security-group-id": (g) => [g.securityGroupId],
            "project-id": (g) => [g.projectId],
            "security-group-name": (g) => [g.name],
            "is-default": () => ["false"],
          },
          (g) => tagsOf(state, "securityGroup", g.securityGroupId),
        ),
    );
    return { TotalCount: matching.length, SecurityGroupSet: paginate(matching, params).map((group) => groupView(state, group)) };
  },
};

export const ModifySecurityGroupAttribute: ActionDefinition = {
  parameters: ["SecurityGroupId", "GroupName", "GroupDescription"],
  handle({ cloud, params }) {
    const id = params.requiredString("SecurityGroupId");
    findSecurityGroup(cloud.store.state, id);
    const name = params.string("GroupName");
    if (name !== undefined) checkName(name, "GroupName");
    const description = params.string("GroupDescription");
    if (description !== undefined && description.length > GROUP_DESCRIPTION_MAX) {
      throw invalidParameterValue(
        "GroupDescription",
        description,
        `must be at most ${GROUP_DESCRIPTION_MAX} characters`,
        "InvalidParameterValue.TooLong",
      );
    }
    cloud.store.mutate((draft) => {
      const group = draft.securityGroups[id];
      if (name !== undefined) group.name = name;
      if (description !== undefined) group.description = description;
      group.updateTime = isoNow(cloud.now());
    });
    return {};
  },
};

/** Instances and other groups that use a group. */
function groupUsers(state: Readonly<CloudState>, id: string) {
  return {
    instances: Object.values(state.instances).filter((instance) => instance.securityGroupIds.includes(id)),
    referencingGroups: Object.values(state.securityGroups).filter(
      (group) => group.securityGroupId !== id && [...group.ingress, ...group.egress].some((policy) => policy.securityGroupId === id),
    ),
  };
}

export const DeleteSecurityGroup: ActionDefinition = {
  parameters: ["SecurityGroupId"],
  handle({ cloud, params }) {
    const id = params.requiredString("SecurityGroupId");
    const state = cloud.store.state;
    findSecurityGroup(state, id);
    const { instances, referencingGroups } = groupUsers(state, id);
    if (instances.length > 0) {
      throw new ApiError(
        "ResourceInUse",
        `The security group ${id} is used by ${instances.map((instance) => instance.instanceId).join(", ")}.`,
      );
    }
    if (referencingGroups.length > 0) {
      throw new ApiError(
        "ResourceInUse",
        `The security group ${id} is named in the rules of ${referencingGroups.map((group) => group.securityGroupId).join(", ")}.`,
      );
    }
    cloud.store.mutate((draft) => {
      delete draft.securityGroups[id];
      dropTags(draft, "securityGroup", id);
    });
    return {};
  },
};

export const DescribeSecurityGroupAssociationStatistics: ActionDefinition = {
  parameters: ["SecurityGroupIds"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("SecurityGroupIds") ?? [];
    if (ids.length === 0) throw new ApiError("MissingParameter", "The request is missing the required parameter `SecurityGroupIds`.");
    return {
      SecurityGroupAssociationStatisticsSet: ids.map((id) => {
        findSecurityGroup(state, id, "SecurityGroupIds");
        const { instances, referencingGroups } = groupUsers(state, id);
        return {
          SecurityGroupId: id,
          CVM: instances.length,
          CDB: 0,
          ENI: 0,
          SG: referencingGroups.length,
          CLB: 0,
          InstanceStatistics: instances.length > 0 ? [{ InstanceType: "CVM", InstanceCount: instances.length }] : [],
          TotalCount: instances.length + referencingGroups.length,
        };
      }),
    };
  },
};

export const DescribeSecurityGroupPolicies: ActionDefinition = {
  parameters: ["SecurityGroupId", "Filters"],
  handle({ cloud, params }) {
    const group = findSecurityGroup(cloud.store.state, params.requiredString("SecurityGroupId"));
    if (params.has("Filters"))
      throw new ApiError("UnsupportedOperation", "Filters of DescribeSecurityGroupPolicies are not supported by this local cloud.");
    const count = (policies: SecurityGroupPolicyRecord[], v6: boolean) =>
      policies.filter((policy) => (policy.ipv6CidrBlock !== "") === v6).length;
    return {
      SecurityGroupPolicySet: {
        Version: String(group.policyVersion),
        Ingress: group.ingress.map(policyView),
        Egress: group.egress.map(policyView),
        PolicyStatistics: {
          IngressIPv4TotalCount: count(group.ingress, false),
          IngressIPv6TotalCount: count(group.ingress, true),
          EgressIPv4TotalCount: count(group.egress, false),
          EgressIPv6TotalCount: count(group.egress, true),
        },
      },
    };
  },
};

/**
 * Replaces the rules of each direction the request gives; `Version: "0"` clears both
 * directions and ignores the rules given (ModifySecurityGroupPolicies).
 */
export const ModifySecurityGroupPolicies: ActionDefinition = {
  parameters: ["SecurityGroupId", "SecurityGroupPolicySet", "SortPolicys"],
  async handle({ cloud, params }) {
    const id = params.requiredString("SecurityGroupId");
    findSecurityGroup(cloud.store.state, id);
    const now = isoNow(cloud.now());
    const { version, ingress, egress } = readPolicySet(params, cloud.store.state, now);
    cloud.store.mutate((draft) => {
      const group = draft.securityGroups[id];
      if (version === "0") {
        group.ingress = [];
        group.egress = [];
        group.policyVersion = 0;
      } else {
        if (ingress.length > 0) group.ingress = ingress;
        if (egress.length > 0) group.egress = egress;
        group.policyVersion += 1;
      }
      group.updateTime = now;
    });
    await syncSecurityRules(cloud);
    return {};
  },
};

/** Deletes rules by `PolicyIndex`, or by their content when no index is given. */
export const DeleteSecurityGroupPolicies: ActionDefinition = {
  parameters: ["SecurityGroupId", "SecurityGroupPolicySet"],
  async handle({ cloud, params }) {
    const id = params.requiredString("SecurityGroupId");
    const group = findSecurityGroup(cloud.store.state, id);
    const set = params.object("SecurityGroupPolicySet", ["Version", "Egress", "Ingress", "PolicyStatistics"]);
    if (!set) throw new ApiError("MissingParameter", "The request is missing the required parameter `SecurityGroupPolicySet`.");
    const version = set.string("Version");
    if (version !== undefined && version !== String(group.policyVersion)) {
      throw new ApiError(
        "UnsupportedOperation.VersionMismatch",
        `Version ${version} is not the group's current version ${group.policyVersion}.`,
      );
    }
    const now = isoNow(cloud.now());
    const doomed = (direction: "Ingress" | "Egress", current: SecurityGroupPolicyRecord[]) =>
      new Set(
        (set.objectList(direction, POLICY_FIELDS) ?? []).map((policy) => {
          const index = policy.integer("PolicyIndex", { min: 0 });
          if (index !== undefined) {
            if (index >= current.length)
              throw invalidParameterValue(
                policy.name("PolicyIndex"),
                index,
                `the group has ${current.length} ${direction.toLowerCase()} rules`,
                "InvalidParameterValue.Range",
              );
            return index;
          }
          const wanted = readPolicy(cloud.store.state, policy, now);
          const found = current.findIndex((rule) =>
            ["protocol", "port", "cidrBlock", "ipv6CidrBlock", "securityGroupId", "action"].every(
              (key) => rule[key as keyof SecurityGroupPolicyRecord] === wanted[key as keyof SecurityGroupPolicyRecord],
            ),
          );
          if (found < 0) throw new ApiError("ResourceNotFound", `${policy.name()}: no ${direction.toLowerCase()} rule of ${id} matches.`);
          return found;
        }),
      );
    const ingress = doomed("Ingress", group.ingress);
    const egress = doomed("Egress", group.egress);
    if (ingress.size + egress.size === 0)
      throw new ApiError("InvalidParameterValue.Empty", "SecurityGroupPolicySet names no rule to delete.");
    cloud.store.mutate((draft) => {
      const target = draft.securityGroups[id];
      target.ingress = target.ingress.filter((_, index) => !ingress.has(index));
      target.egress = target.egress.filter((_, index) => !egress.has(index));
      target.policyVersion += 1;
      target.updateTime = now;
    });
    await syncSecurityRules(cloud);
    return {};
  },
};
