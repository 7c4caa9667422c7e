import type { ActionDefinition } from "../../api/action";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import { tagList, tagsOf } from "../../api/resource-tags";
import { ApiError } from "../../server/api-error";
import { vpcTime } from "../../state/api-time";
import type { CloudState, DiskRecord } from "../../state/cloud-state";
import { isResourceId } from "../../state/resource-ids";

function diskView(state: Readonly<CloudState>, disk: DiskRecord) {
  return {
    DiskId: disk.diskId,
    DiskName: disk.diskName,
    DiskType: disk.diskType,
    DiskUsage: "SYSTEM_DISK",
    DiskState: "ATTACHED",
    DiskSize: disk.diskSize,
    DiskChargeType: "POSTPAID_BY_HOUR",
    Attached: true,
    InstanceId: disk.instanceId,
    InstanceIdList: [disk.instanceId],
    InstanceType: "CVM",
    Placement: { Zone: disk.zone, ProjectId: 0 },
    Portable: false,
    DeleteWithInstance: true,
    Encrypt: false,
    EncryptType: "",
    KmsKeyId: "",
    SnapshotAbility: true,
    SnapshotCount: 0,
    SnapshotSize: 0,
    Rollbacking: false,
    RollbackPercent: 0,
    Migrating: false,
    MigratePercent: 0,
    BackupDisk: false,
    Shareable: false,
    ThroughputPerformance: 0,
    BurstPerformance: false,
    RenewFlag: "",
    DeadlineTime: "",
    CreateTime: vpcTime(disk.createTime),
    Tags: tagList(tagsOf(state, "disk", disk.diskId)).map((tag) => ({ Key: tag.Key, Value: tag.Value })),
    AutoSnapshotPolicyIds: [],
    IsReturnable: false,
    ReturnFailCode: 0,
    DifferDaysOfDeadline: 0,
    AutoRenewFlagError: false,
    DeadlineError: false,
    LastAttachInsId: disk.instanceId,
    ErrorPrompt: "",
  };
}

/** The system disks of the instances: every disk here is one, ATTACHED, deleted with its instance. */
export const DescribeDisks: ActionDefinition = {
  parameters: ["Filters", "Limit", "OrderField", "Offset", "ReturnBindAutoSnapshotPolicy", "DiskIds", "Order"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const ids = params.stringList("DiskIds");
    for (const id of ids ?? [])
      if (!isResourceId("disk", id))
        throw new ApiError("InvalidParameterValue", `The value ${JSON.stringify(id)} of \`DiskIds\` is not a disk id (disk-xxxxxxxx).`);
    const filters = readFilters(
      params,
      ["disk-id", "disk-usage", "disk-state", "instance-id", "zone", "disk-name", "disk-type"],
      "InvalidFilter",
      true,
    );
    const matching = Object.values(state.disks).filter(
      (disk) =>
        (!ids || ids.includes(disk.diskId)) &&
        matchesFilters(
          disk,
          filters,
          {
            "disk-id": (d) => [d.diskId],
            "disk-usage": () => ["SYSTEM_DISK"],
            "disk-state": () => ["ATTACHED"],
            "instance-id": (d) => [d.instanceId],
            zone: (d) => [d.zone],
            "disk-name": (d) => [d.diskName],
            "disk-type": (d) => [d.diskType],
          },
          (d) => tagsOf(state, "disk", d.diskId),
        ),
    );
    return { TotalCount: matching.length, DiskSet: paginate(matching, params).map((disk) => diskView(state, disk)) };
  },
};
