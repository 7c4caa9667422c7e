import type { ActionDefinition } from "../../api/action";
import { paginate } from "../../api/filters";
import { ApiError } from "../../server/api-error";
import { addressUsers, findSubnet, findVpc } from "./vpc-lookups";

/** Which addresses of a VPC (or one of its subnets) are in use, and by what; addresses asked for that are free are left out. */
export const DescribeUsedIpAddress: ActionDefinition = {
  parameters: ["VpcId", "SubnetId", "IpAddresses", "Filters", "Offset", "Limit"],
  handle({ cloud, params }) {
    const state = cloud.store.state;
    const vpc = findVpc(state, params.requiredString("VpcId"));
    const subnetId = params.string("SubnetId");
    if (subnetId !== undefined) {
      const subnet = findSubnet(state, subnetId);
      if (subnet.vpcId !== vpc.vpcId)
        throw new ApiError("InvalidParameterValue.ParameterMismatch", `The subnet ${subnetId} is not in the VPC ${vpc.vpcId}.`);
    }
    if (params.has("Filters"))
      throw new ApiError("UnsupportedOperation", "Filters of DescribeUsedIpAddress are not supported by this local cloud.");
    const wanted = params.stringList("IpAddresses");
    const subnets = Object.values(state.subnets).filter(
      (subnet) => subnet.vpcId === vpc.vpcId && (subnetId === undefined || subnet.subnetId === subnetId),
    );
    const used = subnets
      .flatMap((subnet) => addressUsers(state, subnet.subnetId).map((user) => ({ ...user, subnetId: subnet.subnetId })))
      .filter((user) => !wanted || wanted.includes(user.address));
    return {
      TotalCount: used.length,
      IpAddressStates: paginate(used, params).map((user) => ({
        VpcId: vpc.vpcId,
        SubnetId: user.subnetId,
        IpAddress: user.address,
        ResourceType: user.resourceType,
        ResourceId: user.resourceId,
      })),
    };
  },
};
