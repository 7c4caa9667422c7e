/**
 * The parts of the VPC API (version 2017-03-12) this package calls: DescribeHaVips, with the
 * request and response fields it sends or reads, named and typed as in Tencent's API reference.
 */

/** A DescribeHaVips filter: values of one filter are ORed, filters are ANDed; at most 5 values each. */
export interface Filter {
  Name: string;
  Values: string[];
}

export interface DescribeHaVipsRequest {
  HaVipIds?: string[];
  /** Filter names: `havip-id`, `havip-name`, `vpc-id`, `subnet-id`, `vip`, `address-ip`. */
  Filters?: Filter[];
  Offset?: number;
  /** At most 100. */
  Limit?: number;
}

/** One instance or ENI a HAVIP may move to (its drift range, with `check_associate`). */
export interface HaVipAssociation {
  InstanceId: string;
  /** `CVM` or `ENI`. */
  InstanceType?: string;
}

export interface HaVip {
  HaVipId?: string;
  HaVipName?: string;
  Vip?: string;
  VpcId?: string;
  SubnetId?: string;
  NetworkInterfaceId?: string;
  InstanceId?: string;
  AddressIp?: string;
  /** `AVAILABLE` (bound) or `UNBIND`. */
  State?: string;
  CreatedTime?: string;
  Business?: string;
  HaVipAssociationSet?: HaVipAssociation[];
  CheckAssociate?: boolean;
  /** When the HAVIP last moved; `0000-00-00 00:00:00` when it never has. */
  FlushedTime?: string;
}

export interface DescribeHaVipsResponse {
  TotalCount?: number;
  HaVipSet?: HaVip[];
  RequestId?: string;
}
