import { spawn } from "node:child_process";
import * as fs from "node:fs";
import type { LabLayout } from "../lab-layout";
import type { LabTlsPaths } from "../servers/lab-tls";
import { LAB_PACKAGE_PORT, LAB_TARBALL_PORT } from "./release-roots";

/** The distribution's Python, not a per-user one that may be missing inside `ip netns exec` or differ per machine. */
export const PACKAGE_SERVER_PYTHON = "/usr/bin/python3";

/** argv of the lab's package source: a static HTTP server on the operator's lab address, nothing else listening. */
export function packageServerArgv(lab: LabLayout, packagesRootDir: string): string[] {
  return [
    "ip",
    "netns",
    "exec",
    lab.operatorNamespace,
    PACKAGE_SERVER_PYTHON,
    "-m",
    "http.server",
    String(LAB_PACKAGE_PORT),
    "--bind",
    lab.operatorIp,
    "--directory",
    packagesRootDir,
  ];
}

/**
 * Starts the package server in the operator namespace, detached (it lives until `lab down`
 * kills every process in the lab's namespaces). Its request log goes to the state dir.
 */
export function startPackageServer(lab: LabLayout, packagesRootDir: string, logPath: string): void {
  const log = fs.openSync(logPath, "a", 0o600);
  try {
    const [file, ...args] = packageServerArgv(lab, packagesRootDir);
    const child = spawn(file, args, { detached: true, stdio: ["ignore", log, log] });
    child.on("error", () => undefined);
    child.unref();
  } finally {
    fs.closeSync(log);
  }
}

/** A static HTTPS server (Python's http.server wrapped in TLS) with the lab CA's certificate for the operator's address. */
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

/** argv of the lab's download site for source tarballs: HTTPS on the operator's lab address. */
export function tarballServerArgv(lab: LabLayout, sourcesRootDir: string, tls: LabTlsPaths): string[] {
  return [
    "ip",
    "netns",
    "exec",
    lab.operatorNamespace,
    PACKAGE_SERVER_PYTHON,
    "-c",
    HTTPS_SERVER_PY,
    sourcesRootDir,
    tls.serverCertPath,
    tls.serverKeyPath,
    lab.operatorIp,
    String(LAB_TARBALL_PORT),
  ];
}

/** Starts the HTTPS download site in the operator namespace, detached like the package server. */
export function startTarballServer(lab: LabLayout, sourcesRootDir: string, tls: LabTlsPaths, logPath: string): void {
  const log = fs.openSync(logPath, "a", 0o600);
  try {
    const [file, ...args] = tarballServerArgv(lab, sourcesRootDir, tls);
    const child = spawn(file, args, { detached: true, stdio: ["ignore", log, log] });
    child.on("error", () => undefined);
    child.unref();
  } finally {
    fs.closeSync(log);
  }
}
