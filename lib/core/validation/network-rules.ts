import { hasControlCharacter } from "../keepalived/setting-rules";
import { type FieldRule, textRule, wholeNumberRule } from "./field-rule";

/** A TCP port. */
export const PORT_RULE: FieldRule = wholeNumberRule(1, 65535);

/** What ssh and sshd accept as a login name; the same for the nodes and the jump host. */
export const LOGIN_USER_RULE: FieldRule = textRule("must be a user name", (user) => /^[a-z_][a-z0-9_-]*$/i.test(user));

/** A host name or IP address: no spaces, brackets or user@ parts. */
const SSH_HOST = /^[A-Za-z0-9.:_-]+$/;

export const SSH_HOST_RULE: FieldRule = textRule("must be a host name or IP address the provisioner can reach over SSH", (host) =>
  SSH_HOST.test(host),
);
export const JUMP_HOST_RULE: FieldRule = textRule("must be a host name or IP address", (host) => SSH_HOST.test(host));

/**
 * A file the provisioner opens: absolute, because it runs in another directory
 * (cdktf.out/stacks/<stack>) than the one the path was written in, and nothing expands `~`.
 */
export const ABSOLUTE_FILE_PATH_RULE: FieldRule = textRule(
  "must be an absolute file path (the provisioner runs from cdktf.out/stacks/<stack>, and nothing expands ~)",
  (path) => path.startsWith("/") && path.length > 1 && !path.endsWith("/") && !hasControlCharacter(path),
);
