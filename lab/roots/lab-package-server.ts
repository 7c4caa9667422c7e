import { spawn } from "node:child_process";
import * as fs from "node:fs";
import type { LabServerCertificate } from "../servers/lab-tls";
import { LAB_PACKAGE_PORT, LAB_TARBALL_PORT } from "./release-roots";

/**
 * Where a world serves the images' packages and source tarballs (what `MIRROR_HOSTNAME` means
 * there): the bare lab's operator namespace, or the local cloud's services namespace.
 */
export interface PackageSite {
  readonly namespace: string;
  readonly address: string;
}

/** The distribution's Python, not a per-user one that may be missing inside `ip netns exec` or differ per machine. */
export const PACKAGE_SERVER_PYTHON = "/usr/bin/python3";

/** argv of the lab's package source: a static HTTP server on the site's address, nothing else listening. */
export function packageServerArgv(site: PackageSite, packagesRootDir: string): string[] {
  return [
    "ip",
    "netns",
    "exec",
    site.namespace,
    PACKAGE_SERVER_PYTHON,
    "-m",
    "http.server",
    String(LAB_PACKAGE_PORT),
    "--bind",
    site.address,
    "--directory",
    packagesRootDir,
  ];
}

/**
 * Starts the package server in the site's namespace, detached (it lives until whoever owns that
 * namespace kills every process in it: `lab down`, the cloud network's teardown). Its request log goes to `logPath`.
 */
export function startPackageServer(site: PackageSite, packagesRootDir: string, logPath: string): void {
  const log = fs.openSync(logPath, "a", 0o600);
  try {
    const [file, ...args] = packageServerArgv(site, packagesRootDir);
    const child = spawn(file, args, { detached: true, stdio: ["ignore", log, log] });
    child.on("error", () => undefined);
    child.unref();
  } finally {
    fs.closeSync(log);
  }
}

/** A static HTTPS server (Python's http.server wrapped in TLS) with a certificate of the lab CA. */
const HTTPS_SERVER_PY = [
  "import functools, http.server, ssl, sys",
  "directory, cert, key, host, port = sys.argv[1:]",
  "handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)",
  "server = http.server.ThreadingHTTPServer((host, int(port)), handler)",
  "context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)",
  "context.load_cert_chain(cert, key)",
  "server.socket = context.wrap_socket(server.socket, server_side=True)",
  "server.serve_forever()",
].join("\n");

/** argv of the lab's download site for source tarballs: HTTPS on the site's address. */
export function tarballServerArgv(site: PackageSite, sourcesRootDir: string, certificate: LabServerCertificate): string[] {
  return [
    "ip",
    "netns",
    "exec",
    site.namespace,
    PACKAGE_SERVER_PYTHON,
    "-c",
    HTTPS_SERVER_PY,
    sourcesRootDir,
    certificate.certPath,
    certificate.keyPath,
    site.address,
    String(LAB_TARBALL_PORT),
  ];
}

/** Starts the HTTPS download site in the site's namespace, detached like the package server. */
export function startTarballServer(site: PackageSite, sourcesRootDir: string, certificate: LabServerCertificate, logPath: string): void {
  const log = fs.openSync(logPath, "a", 0o600);
  try {
    const [file, ...args] = tarballServerArgv(site, sourcesRootDir, certificate);
    const child = spawn(file, args, { detached: true, stdio: ["ignore", log, log] });
    child.on("error", () => undefined);
    child.unref();
  } finally {
    fs.closeSync(log);
  }
}
