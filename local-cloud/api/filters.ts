import { ApiError } from "../server/api-error";
import type { Params } from "./params";

export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

/**
 * For each filter name an action supports, the values a resource has under that name (a resource
 * matches a filter when one of them is among the filter's values; it matches the request when it
 * matches every filter). `tag-key` and `tag:<key>` are served from the resource's tags.
 */
export type FilterFields<T> = Readonly<Record<string, (item: T) => readonly string[]>>;

/** Tencent allows 10 filters of 5 values each per call. */
const MAX_FILTERS = 10;
const MAX_FILTER_VALUES = 5;

/** Reads `Filters`; `invalidKeyCode` is the action family's code for an unknown name (`InvalidFilter` in CVM, `InvalidParameter.FilterInvalidKey` in VPC). */
export function readFilters(params: Params, supported: readonly string[], invalidKeyCode: string, tagFilters = false): Filter[] {
  const filters = (params.objectList("Filters", ["Name", "Values"]) ?? []).map((filter) => ({
    name: filter.requiredString("Name"),
    values: filter.stringList("Values") ?? [],
  }));
  if (filters.length > MAX_FILTERS) {
    throw new ApiError("InvalidParameterValue.LimitExceeded", `At most ${MAX_FILTERS} filters are allowed, got ${filters.length}.`);
  }
  for (const filter of filters) {
    const known = supported.includes(filter.name) || (tagFilters && (filter.name === "tag-key" || filter.name.startsWith("tag:")));
    if (!known) {
      throw new ApiError(
        invalidKeyCode,
        `The filter \`${filter.name}\` is not supported; supported: ${[...supported, ...(tagFilters ? ["tag-key", "tag:<key>"] : [])].join(", ")}.`,
      );
    }
    if (filter.values.length > MAX_FILTER_VALUES) {
      throw new ApiError(
        "InvalidParameterValue.LimitExceeded",
        `The filter \`${filter.name}\` has ${filter.values.length} values; at most ${MAX_FILTER_VALUES} are allowed.`,
      );
    }
  }
  return filters;
}

export function matchesFilters<T>(
  item: T,
  filters: readonly Filter[],
  fields: FilterFields<T>,
  tags: (item: T) => Readonly<Record<string, string>> = () => ({}),
): boolean {
  return filters.every((filter) => {
    let values: readonly string[];
    if (filter.name === "tag-key") values = Object.keys(tags(item));
    else if (filter.name.startsWith("tag:")) {
      const value = tags(item)[filter.name.slice(4)];
      values = value === undefined ? [] : [value];
    } else values = fields[filter.name](item);
    return values.some((value) => filter.values.includes(value));
  });
}

/** One page of `items`: `Offset` and `Limit` as Tencent reads them (Limit 20 by default, at most 100). */
export function paginate<T>(items: readonly T[], params: Params): T[] {
  const offset = params.integer("Offset", { min: 0 }) ?? 0;
  const limit = params.integer("Limit", { min: 0, max: 100 }) ?? 20;
  return items.slice(offset, offset + limit);
}
