/** One file the provisioner keeps on a node: compared byte for byte and pushed when it differs. */
export interface ManagedFile {
  readonly path: string;
  /** Permission bits, e.g. 0o600. */
  readonly mode: number;
  readonly owner: string;
  readonly group: string;
  readonly content: string;
  /** Holds a secret (keepalived.conf carries auth_pass): never print its content or a diff of it. */
  readonly secret?: boolean;
}
