/** Names inside keepalived.conf: letters, digits, _ and - only, so they never need quoting. */
export function keepalivedSafeName(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 48);
  return cleaned.length > 0 ? cleaned : "cluster";
}

/** One vrrp_instance per cluster, named after it. */
export function vrrpInstanceName(clusterName: string): string {
  return `havip_${keepalivedSafeName(clusterName)}`;
}

/** router_id names this node in Keepalived's logs and SNMP: cluster plus node. */
export function keepalivedRouterId(clusterName: string, nodeName: string): string {
  return `${keepalivedSafeName(clusterName)}_${keepalivedSafeName(nodeName)}`;
}

export const VRRP_SCRIPT_NAME = "havip_check";
