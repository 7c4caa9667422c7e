import { NONLOCAL_BIND_SYSCTL_PATH } from "../limits";
import type { ManagedFile } from "./managed-file";

/** The kernel setting that lets a process bind an address this node does not hold (yet). */
export const NONLOCAL_BIND_SYSCTL_KEY = "net.ipv4.ip_nonlocal_bind";

/**
 * /etc/sysctl.d/ file that keeps `net.ipv4.ip_nonlocal_bind = 1` across reboots: a service set to
 * listen on the VIP (nginx `listen VIP:80`) must start on the backup too, where the VIP is not
 * configured until a failover. Without it the service fails to start there, and the backup has
 * nothing to serve when it takes over.
 */
export function renderNonlocalBindSysctl(path: string = NONLOCAL_BIND_SYSCTL_PATH): ManagedFile {
  return {
    path,
    mode: 0o644,
    owner: "root",
    group: "root",
    content: [
      "# Managed by tencentcloud-havip-cluster: local edits are overwritten on the next provisioning.",
      "# Lets a service bind the HAVIP on the node that does not hold it yet (set nonlocalBind: false to remove).",
      `${NONLOCAL_BIND_SYSCTL_KEY} = 1`,
      "",
    ].join("\n"),
  };
}
