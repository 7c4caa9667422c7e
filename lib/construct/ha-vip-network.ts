/**
 * A cluster's VPC and subnet as another cluster takes them: `network: web.network` puts a
 * second pair into the first one's subnet without restating its ids, CIDRs and zone (the
 * aws-cdk `Vpc.fromVpcAttributes` idea). It is a complete `HaVipNetworkProps` of the
 * "existing subnet" shape; spread it to change a field, e.g. `{ ...web.network, subnetId: undefined, subnetCidr: "10.20.2.0/24" }`
 * for a new subnet in the same VPC.
 */
export interface HaVipNetwork {
  /** The VPC's id (a Terraform expression when the cluster created it). */
  readonly vpcId: string;
  /** The VPC's CIDR, when the cluster knows it (it created the VPC, or was given `vpcCidr`). */
  readonly vpcCidr?: string;
  /** The subnet's id (a Terraform expression when the cluster created it). */
  readonly subnetId: string;
  readonly subnetCidr: string;
  readonly availabilityZone: string;
}
