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
 * A file on the operator's machine the provisioner opens: absolute, `~/...` (the home of whoever
 * runs it) or relative to the directory it runs in (the construct's local-exec runs in the
 * directory cdktf was started from). Written that way, two operators' checkouts produce the same
 * spec, so Terraform sees no difference between their deploys.
 */
export const OPERATOR_FILE_PATH_RULE: FieldRule = textRule(
  "must be a file path: absolute, ~/... (your home) or relative to the directory cdktf (or havip-cluster) runs in",
  (path) =>
    path.trim() === path &&
    path !== "" &&
    !path.endsWith("/") &&
    !hasControlCharacter(path) &&
    !["~", ".", ".."].includes(path) &&
    // `~user/` would need that user's home looked up; only the runner's own home is expanded.
    (!path.startsWith("~") || path.startsWith("~/")),
);
