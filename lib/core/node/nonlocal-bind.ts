import type { ClusterSpec } from "../cluster-settings";
import { NONLOCAL_BIND_SYSCTL_KEY, renderNonlocalBindSysctl } from "../keepalived";
import { NONLOCAL_BIND_SYSCTL_PATH } from "../limits";
import { quoteShellWord } from "../shell-word";

/**
 * Persists and applies ip_nonlocal_bind (on unless the spec says `nonlocalBind: false`). Only our
 * own file is applied (`sysctl -p FILE`), never `sysctl --system`, which would re-apply every
 * other setting of the node as a side effect. Turning it off removes the file and sets 0.
 */
export function nonlocalBindScript(spec: ClusterSpec, path: string = NONLOCAL_BIND_SYSCTL_PATH): { script: string; stdin?: string } {
  const file = quoteShellWord(path);
  if (spec.nonlocalBind === false) {
    return {
      script: [
        "set -eu",
        `if [ -f ${file} ]; then rm -f ${file}; sysctl -q -w ${NONLOCAL_BIND_SYSCTL_KEY}=0; fi`,
        `sysctl -n ${NONLOCAL_BIND_SYSCTL_KEY}`,
      ].join("\n"),
    };
  }
  const managed = renderNonlocalBindSysctl(path);
  return {
    script: [
      "set -eu",
      `mkdir -p ${quoteShellWord(path.slice(0, path.lastIndexOf("/")) || "/")}`,
      `cat > ${quoteShellWord(`${path}.havip-new`)}`,
      `chmod 0644 ${quoteShellWord(`${path}.havip-new`)}`,
      `mv -f ${quoteShellWord(`${path}.havip-new`)} ${file}`,
      `sysctl -q -p ${file}`,
      `sysctl -n ${NONLOCAL_BIND_SYSCTL_KEY}`,
    ].join("\n"),
    stdin: managed.content,
  };
}
