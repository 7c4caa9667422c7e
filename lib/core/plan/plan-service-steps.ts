import type { ClusterSpec } from "../cluster-settings";
import { renderNonlocalBindSysctl } from "../keepalived/render-nonlocal-bind-sysctl";
import { NONLOCAL_BIND_SYSCTL_PATH, SERVICE_SETUP_FINGERPRINT_PATH } from "../limits";
import type { NodeObservation } from "../node/observe-node";
import { serviceSetupCommand } from "../node/service-setup";
import { sha256Hex } from "./plan-node-changes";

/**
 * What readies a node for the service behind the VIP, before its Keepalived starts or reloads, one
 * node at a time in rollout order: ip_nonlocal_bind, the service's packages, its setup command.
 */
export type ServiceStep =
  /** Writes and applies /etc/sysctl.d/90-havip-nonlocal-bind.conf (enabled), or removes it and sets 0. */
  | { readonly kind: "set-nonlocal-bind"; readonly enabled: boolean }
  | { readonly kind: "install-service-packages"; readonly packages: readonly string[] }
  | { readonly kind: "run-service-setup"; readonly command: string }
  /** What ran is recorded, so the next run runs the setup again only when it changed. */
  | { readonly kind: "record-service-setup"; readonly path: string; readonly fingerprint: string };

/** One hash over the service setup (its packages and command): what the node records once it ran. */
export function serviceSetupFingerprint(spec: ClusterSpec): string | undefined {
  const setup = spec.serviceSetup;
  if (!setup) return undefined;
  return sha256Hex(JSON.stringify({ packages: setup.packages ?? [], command: setup.command ?? null }));
}

function nonlocalBindInPlace(spec: ClusterSpec, observation: NodeObservation): boolean {
  const file = observation.files.find((state) => state.path === NONLOCAL_BIND_SYSCTL_PATH);
  if (spec.nonlocalBind === false) return file !== undefined && !file.exists;
  const wanted = renderNonlocalBindSysctl();
  return (
    file?.exists === true &&
    file.sha256 === sha256Hex(wanted.content) &&
    file.mode === wanted.mode &&
    file.owner === wanted.owner &&
    file.group === wanted.group &&
    observation.nonlocalBind === "1"
  );
}

/**
 * A node's service steps, from its observation: only what differs. The sysctl when the file or the
 * kernel's value is not as wanted; packages that are missing; the setup command when it never ran
 * on this node, changed since, or its packages were just installed.
 */
export function planServiceSteps(spec: ClusterSpec, observation: NodeObservation): ServiceStep[] {
  const steps: ServiceStep[] = [];
  if (!nonlocalBindInPlace(spec, observation)) steps.push({ kind: "set-nonlocal-bind", enabled: spec.nonlocalBind !== false });
  const packages = (spec.serviceSetup?.packages ?? []).filter((name) => !observation.installedPackages.includes(name));
  if (packages.length > 0) steps.push({ kind: "install-service-packages", packages });
  const fingerprint = serviceSetupFingerprint(spec);
  if (fingerprint !== undefined && (fingerprint !== observation.serviceSetupFingerprint || packages.length > 0)) {
    if (spec.serviceSetup?.command !== undefined) steps.push({ kind: "run-service-setup", command: spec.serviceSetup.command });
    steps.push({ kind: "record-service-setup", path: SERVICE_SETUP_FINGERPRINT_PATH, fingerprint });
  }
  return steps;
}

/** The dry run's words for a service step (after "would "); the record is not shown. */
export function describeServiceStep(step: ServiceStep): string | undefined {
  switch (step.kind) {
    case "set-nonlocal-bind":
      return step.enabled
        ? "sysctl: net.ipv4.ip_nonlocal_bind = 1 (persisted, applied)"
        : "sysctl: remove the ip_nonlocal_bind file if present, set 0";
    case "install-service-packages":
      return `service: install ${step.packages.join(", ")}`;
    case "run-service-setup":
      return `service: run ${serviceSetupCommand(step.command)}`;
    case "record-service-setup":
      return undefined;
  }
}
