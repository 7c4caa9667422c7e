import { TerraformElement, TerraformLocal, type TerraformResource, Token } from "cdktf";
import type { Construct } from "constructs";
import { DataTencentcloudHaVips } from "../../../.gen/providers/tencentcloud/data-tencentcloud-ha-vips";
import { DataTencentcloudInstances } from "../../../.gen/providers/tencentcloud/data-tencentcloud-instances";
import type { HaVip } from "../../../.gen/providers/tencentcloud/ha-vip";
import type { HaVipEipAttachment } from "../../../.gen/providers/tencentcloud/ha-vip-eip-attachment";
import type { Instance } from "../../../.gen/providers/tencentcloud/instance";

/*
 * Adoption: a deploy killed after Tencent created a resource but before Terraform recorded it
 * leaves the resource in the cloud and not in the state, and the next deploy would create it
 * again. For a CVM with a fixed private IP, an HAVIP at a fixed address or an EIP on an HAVIP,
 * Tencent refuses the second one (VpcIpIsUsed, ResourceInUse, UnsupportedOperation.BindEIP), and
 * the provider's random ClientToken per RunInstances cannot dedupe across runs. So each of them
 * gets a lookup by constant arguments (a data source Terraform reads at plan time even on a first
 * deploy) and an `import` block over what the lookup found that is certainly this cluster's: the
 * next plan records it instead of creating it. For a resource already in the state the import is
 * a no-op, so a deployed cluster plans no change from it.
 *
 * Identity, and why it never adopts another cluster's resource: the name is constant and unique
 * per cluster in an account and region (docs/construct.md); a CVM must also have the node's private
 * IP and be in this cluster's own security group (an id only this deployment's state knows), an
 * HAVIP must be in this cluster's subnet (and at its fixed address). While the security group or
 * subnet is not created yet, a resource found by name alone cannot be judged: Terraform then stops
 * the plan (the import's for_each is unknown) instead of guessing; that only happens when another
 * cluster of the same name exists in the region.
 */

/** States of a CVM that is not adopted: one that failed to launch, or is going away. */
const UNADOPTABLE_INSTANCE_STATES = ["LAUNCH_FAILED", "TERMINATING", "SHUTDOWN"] as const;

/**
 * Arguments of `tencentcloud_instance` that the provider's Read never sets, so an imported CVM
 * would plan them as changes: the create-only enhanced-service flags and `force_delete`,
 * `user_data_replace_on_change` (config-only), and `disaster_recover_group_ids` (this construct
 * sets `placement_group_id`). An update of the flags would even reinstall the CVM (the provider
 * sends ResetInstance when they change). The construct sets none of them.
 */
export const ARGUMENTS_UNREAD_ON_IMPORT = [
  "disable_security_service",
  "disable_monitor_service",
  "disable_automation_service",
  "force_delete",
  "user_data_replace_on_change",
  "disaster_recover_group_ids",
] as const;

/** `type.name` of a resource, as an import block's `to` names it. */
function resourceAddress(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/** `local.<name>` of a local, for use inside an expression. */
function localReference(local: TerraformLocal): string {
  return `local.${local.friendlyUniqueId}`;
}

interface ForEachImportBlock {
  /** The resource the found objects are imported into (one at most: a single address). */
  readonly to: TerraformResource;
  /** Terraform expression (without `${}`) of a map whose keys are the import ids. */
  readonly forEach: string;
}

/**
 * A config-driven `import` block with `for_each` (Terraform >= 1.7), `id = each.key`: imports,
 * at plan time, what the map names into `to`; an address already in the state is left alone.
 * cdktf's own `importFrom` writes a single fixed id only.
 */
class ForEachImport extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly block: ForEachImportBlock,
  ) {
    super(scope, id);
  }

  override toTerraform(): unknown {
    return { import: [{ for_each: `\${${this.block.forEach}}`, to: resourceAddress(this.block.to), id: "${each.key}" }] };
  }

  override toHclTerraform(): unknown {
    const expression = (value: string) => ({ value, type: "simple", storageClassType: "string" });
    return {
      import: [
        {
          for_each: expression(`\${${this.block.forEach}}`),
          to: { value: resourceAddress(this.block.to), type: "simple", storageClassType: "reference" },
          id: expression("${each.key}"),
        },
      ],
    };
  }
}

/** What makes a CVM this node of this cluster. */
export interface InstanceIdentity {
  /** The instance name (a literal). */
  readonly name: string;
  /** The node's fixed private IP (a literal). */
  readonly privateIp: string;
  /** The cluster's own security group (an expression). */
  readonly securityGroupId: string;
}

/**
 * Adopts a CVM of this node that a killed deploy created but did not record: a lookup by name and
 * an import of the one with the node's IP in the cluster's security group. Returns false (nothing
 * added) when the name or IP is an expression, which could not be looked up at plan time.
 */
export function adoptInstance(scope: Construct, idPrefix: string, instance: Instance, identity: InstanceIdentity): boolean {
  if (Token.isUnresolved(identity.name) || Token.isUnresolved(identity.privateIp)) return false;
  const lookup = new DataTencentcloudInstances(scope, `${idPrefix}-lookup`, { instanceName: identity.name });
  const wanted = localReference(
    new TerraformLocal(scope, `${idPrefix}-identity`, {
      name: identity.name,
      private_ip: identity.privateIp,
      security_group_id: identity.securityGroupId,
    }),
  );
  const found = `data.${DataTencentcloudInstances.tfResourceType}.${lookup.friendlyUniqueId}.instance_list`;
  // The instance-name filter may match more loosely than equality: every criterion is checked here.
  const forEach =
    `{ for i in ${found} : i.instance_id => i.instance_id if i.instance_name == ${wanted}.name` +
    ` && i.private_ip == ${wanted}.private_ip && !contains(${JSON.stringify(UNADOPTABLE_INSTANCE_STATES)}, i.status)` +
    ` && contains(i.security_groups, ${wanted}.security_group_id) }`;
  new ForEachImport(scope, `${idPrefix}-adoption`, { to: instance, forEach });
  return true;
}

/** What makes an HAVIP this one of this cluster. */
export interface HavipIdentity {
  /** The HAVIP's name (a literal to be looked up). */
  readonly name: string;
  /** The cluster's subnet (an expression or a literal id). */
  readonly subnetId: string;
  /** Its fixed address, when it has one. */
  readonly address?: string;
}

/** The lookup of one HAVIP by name, and the condition that an item `h` of it is this cluster's. */
export interface HavipLookup {
  readonly found: string;
  readonly isThisOne: string;
}

/**
 * Adopts an HAVIP a killed deploy created but did not record: a lookup by name and an import of
 * the one in the cluster's subnet (at its fixed address) that no instance holds (an HAVIP bound to
 * an instance serves someone's Keepalived already; one created a moment ago is bound to none).
 * Returns the lookup (for the EIP binding of the same HAVIP), or undefined when the name is an
 * expression.
 */
export function adoptHavip(scope: Construct, idPrefix: string, havip: HaVip, identity: HavipIdentity): HavipLookup | undefined {
  if (Token.isUnresolved(identity.name)) return undefined;
  const lookup = new DataTencentcloudHaVips(scope, `${idPrefix}-lookup`, { name: identity.name });
  const fixedAddress = identity.address !== undefined && !Token.isUnresolved(identity.address);
  const wanted = localReference(
    new TerraformLocal(scope, `${idPrefix}-identity`, {
      name: identity.name,
      subnet_id: identity.subnetId,
      ...(fixedAddress ? { vip: identity.address } : {}),
    }),
  );
  const found = `data.${DataTencentcloudHaVips.tfResourceType}.${lookup.friendlyUniqueId}.ha_vip_list`;
  const isThisOne = `h.name == ${wanted}.name && h.subnet_id == ${wanted}.subnet_id` + (fixedAddress ? ` && h.vip == ${wanted}.vip` : "");
  new ForEachImport(scope, `${idPrefix}-adoption`, {
    to: havip,
    forEach: `{ for h in ${found} : h.id => h.id if ${isThisOne} && (h.instance_id == null || h.instance_id == "") }`,
  });
  return { found, isThisOne };
}

/**
 * Adopts the binding of an EIP to this cluster's HAVIP (`<havip id>#<address>`, the provider's id)
 * when a killed deploy made it but did not record it. The condition reads the HAVIP alone, never
 * the EIP's address: an EIP created in the same plan (`eip` turned on in a later deploy) has no
 * address yet, and an unknown condition would stop the plan. An EIP other than the cluster's bound
 * to its HAVIP is adopted too, and the plan then replaces that binding with the cluster's.
 */
export function adoptEipAttachment(scope: Construct, idPrefix: string, attachment: HaVipEipAttachment, havip: HavipLookup): void {
  const forEach = `{ for h in ${havip.found} : format("%s#%s", h.id, h.address_ip) => h.id if ${havip.isThisOne} && h.address_ip != null && h.address_ip != "" }`;
  new ForEachImport(scope, `${idPrefix}-adoption`, { to: attachment, forEach });
}
