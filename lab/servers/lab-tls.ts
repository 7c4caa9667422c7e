import * as fs from "node:fs";
import * as path from "node:path";
import { parseIpv4Address } from "../../lib/core/network/ipv4-cidr";
import { runCommandOrThrow } from "../host/host-command";
import type { LabLayout } from "../lab-layout";
import { MIRROR_HOSTNAME } from "../roots/release-roots";

/** A CA made for one lab (or one local cloud) alone: its key never leaves the state dir. */
export interface LabCa {
  readonly certPath: string;
  readonly keyPath: string;
}

/** A server certificate and its key, signed by a lab CA. */
export interface LabServerCertificate {
  readonly certPath: string;
  readonly keyPath: string;
}

/** The names a server certificate carries (its subjectAltName). */
export interface CertificateSubject {
  /** Host names, `*.example.com` wildcards allowed (one label). */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/** Where one lab's CA and the operator's HTTPS certificate live (under the state dir, gone with `lab down`). */
export interface LabTlsPaths {
  readonly dir: string;
  readonly caCertPath: string;
  readonly caKeyPath: string;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
}

export function labTlsPaths(lab: LabLayout): LabTlsPaths {
  const dir = path.join(path.dirname(lab.operatorPrivateKeyPath), "tls");
  return {
    dir,
    caCertPath: path.join(dir, "lab-ca.crt"),
    caKeyPath: path.join(dir, "lab-ca.key"),
    serverCertPath: path.join(dir, "operator.crt"),
    serverKeyPath: path.join(dir, "operator.key"),
  };
}

/** How long the lab's CA and certificates are valid: a lab lives for hours, not years. */
const VALIDITY_DAYS = "2";
const DNS_NAME = /^(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Problems with a certificate's names, each with the value as written and the rule; empty when they are fine. */
export function certificateSubjectProblems(subject: CertificateSubject): string[] {
  const problems: string[] = [];
  if (subject.dnsNames.length + subject.ipAddresses.length === 0)
    problems.push("a server certificate needs at least one DNS name or IP address");
  subject.dnsNames.forEach((name, index) => {
    if (!DNS_NAME.test(name) || name.length > 253) {
      problems.push(`dnsNames[${index}] ${JSON.stringify(name)} must be a host name, or *. and a host name`);
    }
  });
  subject.ipAddresses.forEach((address, index) => {
    if (!parseIpv4Address(address)) problems.push(`ipAddresses[${index}] ${JSON.stringify(address)} is not an IPv4 address`);
  });
  return problems;
}

/** The openssl extension file of a server certificate for these names. */
export function renderServerCertificateExtensions(subject: CertificateSubject): string {
  const names = [...subject.dnsNames.map((name) => `DNS:${name}`), ...subject.ipAddresses.map((address) => `IP:${address}`)];
  return `subjectAltName=${names.join(",")}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Makes a CA (P-256, valid 2 days) in `dir`: `<name>.crt` and its key `<name>.key`. */
export async function createLabCa(dir: string, name: string, commonName: string): Promise<LabCa> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = { certPath: path.join(dir, `${name}.crt`), keyPath: path.join(dir, `${name}.key`) };
  await runCommandOrThrow([
    "openssl",
    "req",
    "-x509",
    ...EC_KEY,
    "-days",
    VALIDITY_DAYS,
    "-subj",
    `/CN=${commonName}`,
    "-keyout",
    ca.keyPath,
    "-out",
    ca.certPath,
  ]);
  return ca;
}

/**
 * Issues a server certificate for the given DNS names and IP addresses, signed by the CA:
 * `<name>.crt` and `<name>.key` in `dir`. Throws, before anything is written, when a name is not valid.
 */
export async function issueServerCertificate(
  ca: LabCa,
  dir: string,
  name: string,
  subject: CertificateSubject,
): Promise<LabServerCertificate> {
  const problems = certificateSubjectProblems(subject);
  if (problems.length > 0) throw new Error(`server certificate ${name}: ${problems.join("; ")}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certificate = { certPath: path.join(dir, `${name}.crt`), keyPath: path.join(dir, `${name}.key`) };
  const ext = path.join(dir, `${name}.ext`);
  const csr = path.join(dir, `${name}.csr`);
  fs.writeFileSync(ext, renderServerCertificateExtensions(subject));
  const commonName = subject.dnsNames[0] ?? subject.ipAddresses[0];
  await runCommandOrThrow(["openssl", "req", ...EC_KEY, "-subj", `/CN=${commonName}`, "-keyout", certificate.keyPath, "-out", csr]);
  await runCommandOrThrow([
    "openssl",
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca.certPath,
    "-CAkey",
    ca.keyPath,
    "-CAcreateserial",
    "-days",
    VALIDITY_DAYS,
    "-extfile",
    ext,
    "-out",
    certificate.certPath,
  ]);
  return certificate;
}

/**
 * The bare lab's CA and the certificate of its download site: the mirror's host name (what the
 * servers' URLs name) and the operator's address. The servers trust the CA, so HTTPS from the
 * operator namespace verifies like a real download site, and nothing outside the lab trusts either.
 */
export async function generateLabTls(lab: LabLayout): Promise<LabTlsPaths> {
  const tls = labTlsPaths(lab);
  await createLabCa(tls.dir, "lab-ca", `${lab.prefix} lab CA`);
  await issueServerCertificate({ certPath: tls.caCertPath, keyPath: tls.caKeyPath }, tls.dir, "operator", {
    dnsNames: [MIRROR_HOSTNAME],
    ipAddresses: [lab.operatorIp],
  });
  return tls;
}

/** Files that make a server trust the lab CA: curl's bundle now, and the source ca-certificates rebuilds it from once installed. */
export function labCaTrustFiles(caCertPem: string): Record<string, { content: string; mode: number }> {
  return {
    "/etc/ssl/certs/ca-certificates.crt": { content: caCertPem, mode: 0o644 },
    "/usr/local/share/ca-certificates/havip-lab-ca.crt": { content: caCertPem, mode: 0o644 },
  };
}
