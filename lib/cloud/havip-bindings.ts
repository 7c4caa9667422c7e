import type { DescribeHaVipsRequest, Filter, HaVip } from "./vpc-models";
import { DESCRIBE_HAVIPS_MAX_FILTER_VALUES, DESCRIBE_HAVIPS_MAX_PAGES, DESCRIBE_HAVIPS_PAGE_SIZE } from "../core/limits";
import { TencentCloudApiError, toTencentCloudApiError } from "./api-error";
import type { HaVipApi } from "./vpc-client";

/** Where the cloud says one HAVIP lives, from DescribeHaVips. */
export interface HaVipBinding {
  readonly havipId: string;
  /** The HAVIP's private address (`Vip`). */
  readonly address: string;
  /** `AVAILABLE` (bound to an instance or ENI) or `UNBIND`, as the API reports it. */
  readonly state: string;
  /** CVM the HAVIP is bound to; undefined while unbound. */
  readonly boundInstanceId?: string;
  /** ENI the HAVIP is bound to; undefined while unbound. */
  readonly boundNetworkInterfaceId?: string;
  /** Public EIP attached to the HAVIP (`AddressIp`); undefined when none is attached. */
  readonly addressIp?: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly name?: string;
  /** Service using the HAVIP (`Business`), e.g. a load balancer; undefined for Keepalived use. */
  readonly business?: string;
  /** Instances or ENIs the HAVIP may move to (`HaVipAssociationSet`), when a drift range is set. */
  readonly allowedInstanceIds: readonly string[];
  /** When the HAVIP last moved (`FlushedTime`); undefined if it never has. */
  readonly flushedTime?: string;
}

/** Which HAVIPs to describe. Without vips or havipIds, every HAVIP in the region (and VPC). */
export interface HaVipQuery {
  /** Private addresses of the HAVIPs (filter `vip`). */
  readonly vips?: readonly string[];
  /** HAVIP ids such as `havip-9o233uri` (filter `havip-id`). */
  readonly havipIds?: readonly string[];
  /** Restricts the query to one VPC (filter `vpc-id`): the same private address can exist in several VPCs. */
  readonly vpcId?: string;
}

export interface DescribeHaVipBindingsOptions {
  /** @default 100 (the API's maximum Limit) */
  readonly pageSize?: number;
  /** Pages read per filter set before failing. @default 20 */
  readonly maxPages?: number;
}

const NEVER_FLUSHED = "0000-00-00 00:00:00";

/** Maps one `HaVip` of the DescribeHaVips response; empty strings become undefined. */
export function toHaVipBinding(haVip: HaVip): HaVipBinding {
  const havipId = present(haVip.HaVipId);
  if (havipId === undefined) {
    throw new TencentCloudApiError({ action: "DescribeHaVips", detail: "the response holds a HAVIP without HaVipId" });
  }
  const flushedTime = present(haVip.FlushedTime);
  return {
    havipId,
    address: haVip.Vip ?? "",
    state: haVip.State ?? "",
    boundInstanceId: present(haVip.InstanceId),
    boundNetworkInterfaceId: present(haVip.NetworkInterfaceId),
    addressIp: present(haVip.AddressIp),
    vpcId: haVip.VpcId ?? "",
    subnetId: haVip.SubnetId ?? "",
    name: present(haVip.HaVipName),
    business: present(haVip.Business),
    allowedInstanceIds: (haVip.HaVipAssociationSet ?? []).map((association) => association.InstanceId),
    flushedTime: flushedTime === NEVER_FLUSHED ? undefined : flushedTime,
  };
}

/**
 * The Filters of each DescribeHaVips query needed for `query`. Values of one Filter are ORed
 * and the API takes at most 5 per Filter, so longer lists become several queries; Filters are
 * ANDed, so vips and havipIds are asked separately and the answers merged.
 */
export function planHaVipFilterSets(query: HaVipQuery): Filter[][] {
  const scope: Filter[] = query.vpcId === undefined ? [] : [{ Name: "vpc-id", Values: [query.vpcId] }];
  const vips = unique(query.vips ?? []);
  const havipIds = unique(query.havipIds ?? []);
  if (vips.length === 0 && havipIds.length === 0) return [scope];
  return [
    ...chunk(havipIds, DESCRIBE_HAVIPS_MAX_FILTER_VALUES).map((values) => [{ Name: "havip-id", Values: values }, ...scope]),
    ...chunk(vips, DESCRIBE_HAVIPS_MAX_FILTER_VALUES).map((values) => [{ Name: "vip", Values: values }, ...scope]),
  ];
}

/**
 * Asks DescribeHaVips where each matching HAVIP is bound, reading every page (bounded by
 * `maxPages`). HAVIPs matched by more than one query appear once, in the order first seen.
 */
export async function describeHaVipBindings(
  client: HaVipApi,
  query: HaVipQuery = {},
  options: DescribeHaVipBindingsOptions = {},
): Promise<HaVipBinding[]> {
  const pageSize = options.pageSize ?? DESCRIBE_HAVIPS_PAGE_SIZE;
  const maxPages = options.maxPages ?? DESCRIBE_HAVIPS_MAX_PAGES;
  const bindings = new Map<string, HaVipBinding>();
  for (const filters of planHaVipFilterSets(query)) {
    for (const haVip of await readAllPages(client, filters, pageSize, maxPages)) {
      const binding = toHaVipBinding(haVip);
      if (!bindings.has(binding.havipId)) bindings.set(binding.havipId, binding);
    }
  }
  return [...bindings.values()];
}

async function readAllPages(client: HaVipApi, filters: Filter[], pageSize: number, maxPages: number): Promise<HaVip[]> {
  const haVips: HaVip[] = [];
  for (let page = 0; page < maxPages; page++) {
    const request: DescribeHaVipsRequest = {
      ...(filters.length > 0 ? { Filters: filters } : {}),
      Offset: haVips.length,
      Limit: pageSize,
    };
    let response;
    try {
      response = await client.DescribeHaVips(request);
    } catch (thrown) {
      throw toTencentCloudApiError("DescribeHaVips", thrown);
    }
    const set = response.HaVipSet ?? [];
    haVips.push(...set);
    const total = response.TotalCount;
    const done = set.length === 0 || (total === undefined ? set.length < pageSize : haVips.length >= total);
    if (done) return haVips;
  }
  throw new TencentCloudApiError({
    action: "DescribeHaVips",
    detail: `more than ${maxPages * pageSize} HAVIPs match ${describeFilters(filters)}; narrow the query with vpcId, vips or havipIds`,
  });
}

function describeFilters(filters: readonly Filter[]): string {
  if (filters.length === 0) return "the whole region";
  return filters.map((filter) => `${filter.Name}=${filter.Values.join(",")}`).join(" and ");
}

function present(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value === "" ? undefined : value;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}
