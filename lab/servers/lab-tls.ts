import * as fs from "node:fs";
import * as path from "node:path";
import { runCommandOrThrow } from "../host/host-command";
import type { LabLayout } from "../lab-layout";

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

/**
 * A CA made for this lab alone (its key never leaves the state dir) and a certificate for the
 * operator's lab address signed by it: the servers trust the CA, so HTTPS from the operator
 * namespace verifies like a real download site, and nothing outside the lab trusts either.
 */
export async function generateLabTls(lab: LabLayout): Promise<LabTlsPaths> {
  const tls = labTlsPaths(lab);
  fs.mkdirSync(tls.dir, { recursive: true, mode: 0o700 });
  const ext = path.join(tls.dir, "operator.ext");
  fs.writeFileSync(ext, `subjectAltName=IP:${lab.operatorIp}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  await runCommandOrThrow([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${lab.prefix} lab CA`,
    "-keyout",
    tls.caKeyPath,
    "-out",
    tls.caCertPath,
  ]);
  const csr = path.join(tls.dir, "operator.csr");
  await runCommandOrThrow([
    "openssl",
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    `/CN=${lab.operatorIp}`,
    "-keyout",
    tls.serverKeyPath,
    "-out",
    csr,
  ]);
  await runCommandOrThrow([
    "openssl",
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    tls.caCertPath,
    "-CAkey",
    tls.caKeyPath,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    ext,
    "-out",
    tls.serverCertPath,
  ]);
  return tls;
}

/** Files that make a server trust the lab CA: curl's bundle now, and the source ca-certificates rebuilds it from once installed. */
export function labCaTrustFiles(caCertPem: string): Record<string, { content: string; mode: number }> {
  return {
    "/etc/ssl/certs/ca-certificates.crt": { content: caCertPem, mode: 0o644 },
    "/usr/local/share/ca-certificates/havip-lab-ca.crt": { content: caCertPem, mode: 0o644 },
  };
}
