import * as path from "node:path";
import { type CloudNetworkLayout, cloudNetworkLayout } from "../cloud-network";

/** The region and zone the lab's local cloud serves (the example app's defaults). */
export const LAB_REGION = "ap-guangzhou";
export const LAB_ZONE = "ap-guangzhou-3";
/** Where CVM public IPs and EIPs come from: the upper half of the lab's internet segment. */
export const LAB_PUBLIC_ADDRESS_POOL = "198.51.100.128/25";
/** The API host names the provider and the CLI call; the operator namespace's hosts file sends them to the lab's endpoint. */
export const API_HOST_NAMES = ["vpc", "cvm", "cbs", "tag"].map((service) => `${service}.tencentcloudapi.com`);
/** The sensitive Terraform variable the lab's config file takes the VRRP password from. */
export const LAB_AUTH_PASS_VARIABLE = "vrrp_auth_pass";
/** The API's HTTPS port (the real endpoint's). */
export const API_PORT = 443;

/** Every path of one cloud lab; a pure function of its prefix and state directory. */
export interface CloudLabLayout {
  readonly prefix: string;
  readonly stateDir: string;
  readonly network: CloudNetworkLayout;
  /** The lab host's model and each machine's directory (disk, supervisor, console). */
  readonly hostDir: string;
  /** The local cloud's state file and request log. */
  readonly cloudStatePath: string;
  readonly requestLogPath: string;
  /** The endpoint process: its config, log, pid and the file it writes once it listens. */
  readonly daemonConfigPath: string;
  readonly daemonLogPath: string;
  readonly daemonPidPath: string;
  readonly daemonReadyPath: string;
  /** The API key pair the operator's tools sign with (0600). */
  readonly credentialsPath: string;
  /** The lab CA (what the operator's tools and the machines trust) and the certificates it issued. */
  readonly tlsDir: string;
  readonly caCertPath: string;
  /** Images published besides each release's first (`lab image publish`). */
  readonly publishedImagesPath: string;
  /** The operator's SSH key pair and the known_hosts the provisioner pins host keys in. */
  readonly operatorPrivateKeyPath: string;
  readonly operatorPublicKeyPath: string;
  readonly knownHostsPath: string;
  /** The pair's VRRP password (0600): the operator's tools get it as TF_VAR_<LAB_AUTH_PASS_VARIABLE>, never the config file. */
  readonly authPassPath: string;
  /** The cdktf project that deploys the example app: cdktf.json, the config file, Terraform's state. */
  readonly projectDir: string;
  readonly configPath: string;
  /** `cdktf output` of the last deploy. */
  readonly outputsPath: string;
  /** The operator namespace's hosts file (`ip netns exec` puts it over /etc/hosts there). */
  readonly operatorHostsPath: string;
  readonly packageServerLogPath: string;
  readonly tarballServerLogPath: string;
  /** The persisted handle of a lab that is up. */
  readonly handlePath: string;
}

export function cloudLabLayout(prefix: string, stateDir: string = `/run/${prefix}`): CloudLabLayout {
  const network = cloudNetworkLayout(prefix);
  const operatorDir = path.join(stateDir, "operator");
  const tlsDir = path.join(stateDir, "tls");
  const projectDir = path.join(stateDir, "project");
  return {
    prefix,
    stateDir,
    network,
    hostDir: path.join(stateDir, "host"),
    cloudStatePath: path.join(stateDir, "cloud", "state.json"),
    requestLogPath: path.join(stateDir, "cloud", "requests.log"),
    daemonConfigPath: path.join(stateDir, "cloud", "daemon.json"),
    daemonLogPath: path.join(stateDir, "cloud", "daemon.log"),
    daemonPidPath: path.join(stateDir, "cloud", "daemon.pid"),
    daemonReadyPath: path.join(stateDir, "cloud", "ready"),
    credentialsPath: path.join(stateDir, "cloud", "credentials.json"),
    tlsDir,
    caCertPath: path.join(tlsDir, "lab-ca.crt"),
    publishedImagesPath: path.join(stateDir, "cloud", "published-images.json"),
    operatorPrivateKeyPath: path.join(operatorDir, "id_ed25519"),
    operatorPublicKeyPath: path.join(operatorDir, "id_ed25519.pub"),
    knownHostsPath: path.join(operatorDir, "known_hosts"),
    authPassPath: path.join(operatorDir, "vrrp-auth-pass"),
    projectDir,
    configPath: path.join(projectDir, "havip-cluster.config.json"),
    outputsPath: path.join(projectDir, "outputs.json"),
    operatorHostsPath: `/etc/netns/${network.operatorNamespace}/hosts`,
    packageServerLogPath: path.join(stateDir, "mirror", "package-server.log"),
    tarballServerLogPath: path.join(stateDir, "mirror", "tarball-server.log"),
    handlePath: path.join(stateDir, "cloud-lab.json"),
  };
}

/** The operator namespace's hosts file: the API's names at the endpoint, nothing else resolvable. */
export function renderOperatorHosts(apiAddress: string): string {
  return ["127.0.0.1\tlocalhost", `${apiAddress}\t${API_HOST_NAMES.join(" ")}`, ""].join("\n");
}
