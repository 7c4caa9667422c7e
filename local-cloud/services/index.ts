import type { ServiceDefinition } from "../api/action";
import { DescribeDisks } from "./cbs/disks";
import { DescribeImages } from "./cvm/images";
import {
  AssociateInstancesKeyPairs,
  DisassociateInstancesKeyPairs,
  RebootInstances,
  ResetInstance,
  ResetInstancesInternetMaxBandwidth,
  ResetInstancesType,
  ResizeInstanceDisks,
  StartInstances,
  StopInstances,
  TerminateInstances,
} from "./cvm/instance-lifecycle";
import { DescribeInstances, DescribeInstancesAttributes, ModifyInstancesAttribute } from "./cvm/instances";
import { DeleteKeyPairs, DescribeKeyPairs, ImportKeyPair, ModifyKeyPairAttribute } from "./cvm/key-pairs";
import {
  CreateDisasterRecoverGroup,
  DeleteDisasterRecoverGroups,
  DescribeDisasterRecoverGroups,
  ModifyDisasterRecoverGroupAttribute,
} from "./cvm/placement-groups";
import { RunInstances } from "./cvm/run-instances";
import { DescribeResourceTagsByResourceIds, ModifyResourceTags } from "./tag/resource-tags";
import {
  AllocateAddresses,
  DescribeAddresses,
  DescribeBandwidthPackages,
  DescribeTaskResult,
  DisassociateAddress,
  ModifyAddressAttribute,
  ModifyAddressesBandwidth,
  ReleaseAddresses,
} from "./vpc/addresses";
import {
  AssociateHaVipInstance,
  CreateHaVip,
  DeleteHaVip,
  DescribeHaVips,
  DisassociateHaVipInstance,
  HaVipAssociateAddressIp,
  HaVipDisassociateAddressIp,
  ModifyHaVipAttribute,
} from "./vpc/havips";
import {
  CreateSecurityGroup,
  DeleteSecurityGroup,
  DeleteSecurityGroupPolicies,
  DescribeSecurityGroupAssociationStatistics,
  DescribeSecurityGroupPolicies,
  DescribeSecurityGroups,
  ModifySecurityGroupAttribute,
  ModifySecurityGroupPolicies,
} from "./vpc/security-groups";
import { CreateSubnet, DeleteSubnet, DescribeSubnets, ModifySubnetAttribute } from "./vpc/subnets";
import { DescribeUsedIpAddress } from "./vpc/used-addresses";
import { CreateVpc, DeleteVpc, DescribeRouteTables, DescribeVpcs, ModifyVpcAttribute } from "./vpc/vpcs";

/** The services and actions this endpoint serves, by the host name's first label (`vpc.tencentcloudapi.com`). */
export const SERVICES: Readonly<Record<string, ServiceDefinition>> = {
  vpc: {
    version: "2017-03-12",
    actions: {
      CreateVpc,
      DescribeVpcs,
      ModifyVpcAttribute,
      DeleteVpc,
      DescribeRouteTables,
      CreateSubnet,
      DescribeSubnets,
      ModifySubnetAttribute,
      DeleteSubnet,
      CreateSecurityGroup,
      DescribeSecurityGroups,
      ModifySecurityGroupAttribute,
      DeleteSecurityGroup,
      DescribeSecurityGroupAssociationStatistics,
      DescribeSecurityGroupPolicies,
      ModifySecurityGroupPolicies,
      DeleteSecurityGroupPolicies,
      CreateHaVip,
      DescribeHaVips,
      ModifyHaVipAttribute,
      DeleteHaVip,
      AssociateHaVipInstance,
      DisassociateHaVipInstance,
      HaVipAssociateAddressIp,
      HaVipDisassociateAddressIp,
      AllocateAddresses,
      DescribeAddresses,
      ModifyAddressAttribute,
      ModifyAddressesBandwidth,
      ReleaseAddresses,
      DisassociateAddress,
      DescribeTaskResult,
      DescribeBandwidthPackages,
      DescribeUsedIpAddress,
    },
  },
  cvm: {
    version: "2017-03-12",
    actions: {
      DescribeImages,
      RunInstances,
      DescribeInstances,
      DescribeInstancesAttributes,
      ModifyInstancesAttribute,
      StopInstances,
      StartInstances,
      RebootInstances,
      ResetInstance,
      ResetInstancesType,
      ResetInstancesInternetMaxBandwidth,
      ResizeInstanceDisks,
      TerminateInstances,
      AssociateInstancesKeyPairs,
      DisassociateInstancesKeyPairs,
      ImportKeyPair,
      DescribeKeyPairs,
      ModifyKeyPairAttribute,
      DeleteKeyPairs,
      CreateDisasterRecoverGroup,
      DescribeDisasterRecoverGroups,
      ModifyDisasterRecoverGroupAttribute,
      DeleteDisasterRecoverGroups,
    },
  },
  cbs: { version: "2017-03-12", actions: { DescribeDisks } },
  tag: { version: "2018-08-13", actions: { DescribeResourceTagsByResourceIds, ModifyResourceTags } },
};
