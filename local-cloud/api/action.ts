import type { CloudContext } from "./cloud-context";
import type { Params } from "./params";

export interface ActionCall {
  readonly cloud: CloudContext;
  readonly params: Params;
  readonly requestId: string;
}

/** The fields of `Response` besides `RequestId`. */
export type ActionResult = Record<string, unknown>;

/** One API action: the parameters it accepts (any other is `UnknownParameter`) and what it does. */
export interface ActionDefinition {
  readonly parameters: readonly string[];
  readonly handle: (call: ActionCall) => ActionResult | Promise<ActionResult>;
}

/** A Tencent Cloud service as this endpoint serves it. */
export interface ServiceDefinition {
  /** The API version it answers (`X-TC-Version`). */
  readonly version: string;
  readonly actions: Readonly<Record<string, ActionDefinition>>;
}
