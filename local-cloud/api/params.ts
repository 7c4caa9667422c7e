import { ApiError, invalidParameterValue, missingParameter } from "../server/api-error";

type JsonObject = { readonly [key: string]: unknown };

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The parameters of one call (or one structure inside it), read with Tencent's errors: a missing
 * required one is `MissingParameter`, a wrong kind `InvalidParameter`, and a name the action
 * does not know `UnknownParameter` (so a caller that sends something new fails loudly instead
 * of being silently half-served). Errors name the parameter by its full path (`Placement.Zone`).
 */
export class Params {
  private constructor(
    private readonly values: JsonObject,
    private readonly path: string,
  ) {}

  /** The body of a call; `accepted` lists every parameter the action knows. */
  static of(body: unknown, accepted: readonly string[], path = ""): Params {
    if (!isObject(body))
      throw new ApiError("InvalidParameter", `${path === "" ? "The request body" : `\`${path}\``} must be a JSON object.`);
    for (const name of Object.keys(body)) {
      if (!accepted.includes(name)) {
        throw new ApiError(
          "UnknownParameter",
          `The parameter \`${path === "" ? name : `${path}.${name}`}\` is not recognized by this local cloud.`,
        );
      }
    }
    return new Params(body, path);
  }

  /** Full name of a parameter, for messages. */
  name(key = ""): string {
    if (key === "") return this.path;
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  private raw(key: string): unknown {
    const value = this.values[key];
    return value === null ? undefined : value;
  }

  private wrongKind(key: string, value: unknown, kind: string): ApiError {
    return new ApiError("InvalidParameter", `The parameter \`${this.name(key)}\` must be ${kind}, got ${JSON.stringify(value)}.`);
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw this.wrongKind(key, value, "a string");
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === "") throw missingParameter(this.name(key));
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") throw this.wrongKind(key, value, "a boolean");
    return value;
  }

  /** "true"/"false" written as a string, as some VPC APIs take booleans (`EnableMulticast`). */
  booleanText(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value !== "true" && value !== "false") throw invalidParameterValue(this.name(key), value, 'must be "true" or "false"');
    return value === "true";
  }

  /** An integer; the VPC APIs write some (Offset, Limit) as strings, so a decimal string is read too. */
  integer(key: string, range: { readonly min?: number; readonly max?: number } = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const number = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number)) throw this.wrongKind(key, value, "an integer");
    if ((range.min !== undefined && number < range.min) || (range.max !== undefined && number > range.max)) {
      throw invalidParameterValue(
        this.name(key),
        value,
        `must be between ${range.min ?? "-∞"} and ${range.max ?? "∞"}`,
        "InvalidParameterValue.Range",
      );
    }
    return number;
  }

  stringList(key: string): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw this.wrongKind(key, value, "a list of strings");
    return value as string[];
  }

  object(key: string, accepted: readonly string[]): Params | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    return Params.of(value, accepted, this.name(key));
  }

  objectList(key: string, accepted: readonly string[]): Params[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.wrongKind(key, value, "a list of objects");
    return value.map((item, index) => Params.of(item, accepted, `${this.name(key)}.${index}`));
  }
}
