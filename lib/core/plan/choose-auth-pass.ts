import { validateAuthPass } from "../keepalived";

/** The auth_pass of a rendered keepalived.conf, if any. */
export function extractAuthPass(keepalivedConf: string): string | undefined {
  return /^\s*auth_pass\s+(\S+)/m.exec(keepalivedConf)?.[1];
}

/**
 * The VRRP password to render: the user's, else the one the pair already shares (so a re-run
 * changes nothing), else a fresh one. Node order breaks a disagreement: the primary's wins.
 */
export function chooseAuthPass(
  configured: string | undefined,
  currentConfigs: readonly (string | undefined)[],
  generate: () => string,
): AuthPassChoice {
  return chooseAuthPassFrom(
    configured,
    currentConfigs.map((conf) => (conf === undefined ? undefined : extractAuthPass(conf))),
    generate,
  );
}

export interface AuthPassChoice {
  readonly authPass: string;
  readonly source: "settings" | "nodes" | "generated";
}

/** chooseAuthPass, from the passwords of the running configurations (in node order) rather than their text. */
export function chooseAuthPassFrom(
  configured: string | undefined,
  currentPasses: readonly (string | undefined)[],
  generate: () => string,
): AuthPassChoice {
  if (configured !== undefined) return { authPass: configured, source: "settings" };
  // A hand-edited password that breaks the rules is replaced rather than carried over.
  const existing = currentPasses.find((pass) => pass !== undefined && validateAuthPass(pass, "auth_pass").length === 0);
  return existing ? { authPass: existing, source: "nodes" } : { authPass: generate(), source: "generated" };
}
