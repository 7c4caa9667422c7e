import fc from "fast-check";

/** Sets `path` (`a.b[0].c`) in a deep copy of `root`, creating objects and lists on the way; undefined deletes. */
export function withValueAt<T>(root: T, path: string, value: unknown): T {
  const copy = structuredClone(root) as unknown as Record<string, unknown>;
  const keys = path.split(/\.|(?=\[)/).map((part) => (part.startsWith("[") ? Number(part.slice(1, -1)) : part));
  let node: Record<string | number, unknown> = copy;
  keys.slice(0, -1).forEach((key, index) => {
    const next = keys[index + 1];
    if (typeof node[key] !== "object" || node[key] === null) node[key] = typeof next === "number" ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  const last = keys[keys.length - 1];
  if (value === undefined && !Array.isArray(node)) delete node[last];
  else node[last] = value;
  return copy as unknown as T;
}

/** Values a careless or hostile user writes: near misses of valid ones, and every JSON kind. */
export const NEAR_MISSES = [
  "51",
  "true",
  "",
  " ",
  "-1",
  "0",
  "256",
  "1.5",
  "null",
  "eth0; reboot",
  "a\nb",
  "192.168.0.0/15",
  "172.16.16.0",
  "172.16.16.1",
  "172.16.16.255",
  "172.16.16.5",
  "172.16.17.3",
  "172.16.16.12",
  "10.0.0.0/8",
  "8080-80",
  "80-8080",
  "ALL",
  "~/.ssh/id_ed25519",
  "keys/id_ed25519",
  "/var/log/../etc/passwd",
  "/var/log/keepalived.log",
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFRlc3RLZXlPbmx5Rm9yU3ludGhUZXN0cy0t",
  "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIFRlc3RLZXlPbmx5Rm9yU3ludGhUZXN0cy0tLS0tLS0t",
  "BANDWIDTH_PACKAGE",
  "CLOUD_PREMIUM",
  "cloud_premium",
  "TRAFFIC_POSTPAID_BY_HOUR",
  "http://example.com/k.tgz",
  "https://example.com/k.tgz",
  "A".repeat(64),
  "a".repeat(64),
  "x".repeat(300),
  '${file("/etc/passwd")}',
  "tcp-port",
  "bogus",
  "SHA256:" + "A".repeat(43),
  "Root",
  "ops",
  "bad user!",
  "my cluster",
  "web",
];

/** JSON-representable hostile values (what a spec or config file can hold). */
export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NEAR_MISSES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1, 51, 255, 256, 65536, 1.5, 1e300, [], {}, [1], { kind: "process" }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** What a JavaScript caller can pass on top: undefined, NaN, Infinity, bigint, functions, symbols. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: jsonValue },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, 10n, () => 1, Symbol("s"), new Date(0)),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Does a refusal name the field at `path`? It does when it names the path itself (`a.b[0].c`), the
 * list a new element was added to (`a.b` for `a.b[2]`), the object whose kind changed (`a.b` for
 * `a.b.kind`), or the key within a rule about a sibling (`... must be larger than timeoutSeconds 9`).
 */
export function namesField(message: string, path: string): boolean {
  const leaf = path.split(/\.|(?=\[)/).pop() ?? path;
  const candidates = [path, path.replace(/\[\d+\]$/, ""), path.replace(/\.kind$/, "")];
  return candidates.some((candidate) => message.includes(candidate)) || new RegExp(`[. ]${escape(leaf)}\\b`).test(message);
}
