import type { ClusterSpec, NodeSpec } from "../core/cluster-settings";
import { NODE_FACTS_SCRIPT, type NodeFacts, parseNodeFacts } from "../core/node/node-facts";
import { type NodeObservation, nodeObservationScript, parseNodeObservation, provisioningObservation } from "../core/node/observe-node";
import { readSettledKeepalivedStatus } from "./keepalived-control";
import { connectToNode, type SshOptionNames } from "./ssh/connect-node";
import type { RemoteShell } from "./ssh/remote-shell";

/** One node, connected, locked and observed. */
export interface ObservedNode {
  readonly node: NodeSpec;
  readonly peer: NodeSpec;
  readonly shell: RemoteShell;
  /** With a settled Keepalived status (a Keepalived on its way in or out is waited out). */
  readonly observation: NodeObservation;
}

export interface ObserveOptions {
  readonly progress: (message: string) => void;
  /** How long to keep trying a node that does not answer yet (a fresh CVM may still be booting). */
  readonly connectTimeoutMs: number;
  readonly trace?: (line: string) => void;
  readonly optionNames?: SshOptionNames;
  /**
   * Takes the node's lock and runs the observation script under it, in one round trip (the
   * provisioning lock); resolves with the script's output.
   */
  readonly lockAndRead: (shell: RemoteShell, script: string) => Promise<string>;
}

/** Connects to a node (retrying while it does not answer yet), takes its lock and reads everything the run decides on, once. */
export async function openObservedNode(spec: ClusterSpec, index: 0 | 1, options: ObserveOptions): Promise<ObservedNode> {
  const node = spec.nodes[index];
  const peer = spec.nodes[index === 0 ? 1 : 0];
  options.progress(`connecting to ${node.sshHost}`);
  const shell = await connectToNode(node, spec.ssh, {
    trace: options.trace,
    retryForMs: options.connectTimeoutMs,
    onRetry: options.progress,
    optionNames: options.optionNames,
  });
  try {
    const output = await options.lockAndRead(shell, nodeObservationScript(provisioningObservation(spec)));
    options.progress("detecting the OS and Keepalived");
    const observed = parseNodeObservation(output);
    const keepalived = await readSettledKeepalivedStatus(
      shell,
      observed.facts.initSystem,
      spec.interfaceName,
      undefined,
      undefined,
      observed.keepalived,
    );
    return { node, peer, shell, observation: { ...observed, keepalived } };
  } catch (error) {
    shell.close();
    throw error;
  }
}

/** The node's facts (OS, init system, Keepalived version, boot), in one round trip. */
export async function readNodeFacts(shell: RemoteShell): Promise<NodeFacts> {
  return parseNodeFacts(await shell.check("detecting the OS", NODE_FACTS_SCRIPT));
}
