import { validateAuthPass } from "../core/keepalived";

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
): { readonly authPass: string; readonly source: "settings" | "nodes" | "generated" } {
  if (configured !== undefined) return { authPass: configured, source: "settings" };
  // A hand-edited password that breaks the rules is replaced rather than carried over.
  const existing = currentConfigs
    .map((conf) => (conf === undefined ? undefined : extractAuthPass(conf)))
    .find((pass) => pass !== undefined && validateAuthPass(pass, "auth_pass").length === 0);
  return existing ? { authPass: existing, source: "nodes" } : { authPass: generate(), source: "generated" };
}
