import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import { dropTags, readCvmTagSpecification, setTags, tagList, tagsOf } from "../../api/resource-tags";
import { ApiError } from "../../server/api-error";
import { isoNow } from "../../state/api-time";
import type { CloudState, KeyPairRecord } from "../../state/cloud-state";
import { isResourceId, newResourceId } from "../../state/resource-ids";
import { findKeyPair } from "./cvm-lookups";

/** Key pair names: letters, digits and underscores, at most 25 characters (ImportKeyPair). */
const KEY_NAME_MAX_LENGTH = 25;
const DESCRIPTION_MAX_LENGTH = 60;
/** OpenSSH public keys of the kinds CVM accepts: the type, the base64 key, an optional comment. */
const PUBLIC_KEY = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( .*)?$/;

function checkKeyName(name: string | undefined, parameter: string): string {
  if (name === undefined || name === "") throw new ApiError("InvalidKeyPairNameEmpty", `\`${parameter}\` must not be empty.`);
  if (name.length > KEY_NAME_MAX_LENGTH)
    throw new ApiError(
      "InvalidKeyPairNameTooLong",
      `The key pair name ${JSON.stringify(name)} is longer than ${KEY_NAME_MAX_LENGTH} characters.`,
    );
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new ApiError(
      "InvalidKeyPairNameIncludeIllegalChar",
      `The key pair name ${JSON.stringify(name)} may contain only letters, digits and underscores.`,
    );
  }
  return name;
}

/** The instances a key pair is authorized on. */
export function keyPairUsers(state: Readonly<CloudState>, keyId: string): string[] {
  return Object.values(state.instances)
    .filter((instance) => instance.keyIds.includes(keyId))
    .map((instance) => instance.instanceId);
}

function keyPairView(state: Readonly<CloudState>, keyPair: KeyPairRecord) {
  return {
    KeyId: keyPair.keyId,
    KeyName: keyPair.keyName,
    ProjectId: keyPair.projectId,
    Description: keyPair.description,
    PublicKey: keyPair.publicKey,
    AssociatedInstanceIds: keyPairUsers(state, keyPair.keyId),
    CreatedTime: keyPair.createdTime,
    Tags: tagList(tagsOf(state, "keyPair", keyPair.keyId)),
  };
}

export const ImportKeyPair: ActionDefinition = {
  parameters: ["KeyName", "ProjectId", "PublicKey", "TagSpecification"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const keyName = checkKeyName(params.string("KeyName"), "KeyName");
    const projectId = params.integer("ProjectId") ?? 0;
    if (projectId !== 0)
      throw new ApiError(
        "InvalidProjectId.NotFound",
        `The project ${projectId} does not exist; this local cloud has only the default project 0.`,
      );
    const publicKey = params.requiredString("PublicKey").trim();
    if (!PUBLIC_KEY.test(publicKey))
      throw new ApiError(
        "InvalidPublicKey.Malformed",
        "`PublicKey` is not an OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp*).",
      );
    if (Object.values(state.keyPairs).some((keyPair) => keyPair.keyName === keyName)) {
      throw new ApiError("InvalidKeyPairName.Duplicate", `A key pair named ${keyName} already exists.`);
    }
    const keyMaterial = publicKey.split(" ").slice(0, 2).join(" ");
    const duplicate = Object.values(state.keyPairs).find((keyPair) => keyPair.publicKey.split(" ").slice(0, 2).join(" ") === keyMaterial);
    if (duplicate) throw new ApiError("InvalidPublicKey.Duplicate", `This public key is already imported as ${duplicate.keyId}.`);
    const tags = readCvmTagSpecification(params, "keypair");
    const keyId = cloud.store.mutate((draft) => {
      const id = newResourceId("skey", (candidate) => candidate in draft.keyPairs);
      draft.keyPairs[id] = { keyId: id, keyName, projectId, publicKey, description: "", createdTime: isoNow(cloud.now()) };
      setTags(draft, "keyPair", id, tags);
      return id;
    });
    return { KeyId: keyId };
  },
};

export const DescribeKeyPairs: ActionDefinition = {
  parameters: ["KeyIds", "Filters", "Offset", "Limit"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("KeyIds");
    const filters = readFilters(params, ["project-id", "key-name", "key-id"], "InvalidFilter", true);
    if (ids && filters.length > 0) throw new ApiError("InvalidParameterCombination", "KeyIds and Filters cannot be given together.");
    for (const id of ids ?? []) {
      if (!isResourceId("skey", id))
        throw new ApiError(
          "InvalidKeyPairId.Malformed",
          `The value ${JSON.stringify(id)} of \`KeyIds\` is not a key pair id (skey-xxxxxxxx).`,
        );
    }
    const matching = Object.values(state.keyPairs).filter(
      (keyPair) =>
        (!ids || ids.includes(keyPair.keyId)) &&
        matchesFilters(
          keyPair,
          filters,
          { "project-id": (k) => [String(k.projectId)], "key-name": (k) => [k.keyName], "key-id": (k) => [k.keyId] },
          (k) => tagsOf(state, "keyPair", k.keyId),
        ),
    );
    return { TotalCount: matching.length, KeyPairSet: paginate(matching, params).map((keyPair) => keyPairView(state, keyPair)) };
  },
};

export const ModifyKeyPairAttribute: ActionDefinition = {
  parameters: ["KeyId", "KeyName", "Description"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const keyPair = findKeyPair(state, params.requiredString("KeyId"));
    const keyName = params.has("KeyName") ? checkKeyName(params.string("KeyName"), "KeyName") : undefined;
    const description = params.string("Description");
    if (keyName === undefined && description === undefined)
      throw new ApiError("MissingParameter", "Give `KeyName`, `Description` or both.");
    if (description !== undefined && description.length > DESCRIPTION_MAX_LENGTH) {
      throw new ApiError("InvalidParameterValue", `\`Description\` is longer than ${DESCRIPTION_MAX_LENGTH} characters.`);
    }
    if (
      keyName !== undefined &&
      Object.values(state.keyPairs).some((other) => other.keyId !== keyPair.keyId && other.keyName === keyName)
    ) {
      throw new ApiError("InvalidKeyPairName.Duplicate", `A key pair named ${keyName} already exists.`);
    }
    cloud.store.mutate((draft) => {
      if (keyName !== undefined) draft.keyPairs[keyPair.keyId].keyName = keyName;
      if (description !== undefined) draft.keyPairs[keyPair.keyId].description = description;
    });
    return {};
  },
};

/** A key pair authorized on an instance cannot be deleted (DeleteKeyPairs). */
export const DeleteKeyPairs: ActionDefinition = {
  parameters: ["KeyIds"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("KeyIds") ?? [];
    if (ids.length === 0) throw new ApiError("MissingParameter", "The request is missing the required parameter `KeyIds`.");
    for (const id of ids) {
      findKeyPair(state, id, "KeyIds");
      const users = keyPairUsers(state, id);
      if (users.length > 0)
        throw new ApiError("InvalidParameterValue.KeyPairNotSupported", `The key pair ${id} is authorized on ${users.join(", ")}.`);
    }
    cloud.store.mutate((draft) => {
      for (const id of ids) {
        delete draft.keyPairs[id];
        dropTags(draft, "keyPair", id);
      }
    });
    return {};
  },
};
