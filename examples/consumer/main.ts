import { App, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { HaVipCluster, tencentcloud } from "tencentcloud-havip-cluster";

const AVAILABILITY_ZONE = "ap-guangzhou-3";
const VPC_CIDR = "10.20.0.0/16";
const CLUSTER_SUBNET_CIDR = "10.20.1.0/24";
const APP_SUBNET_CIDR = "10.20.2.0/24";

/**
 * A shop: a web pair and a database pair sharing one VPC and one subnet, and an app subnet of
 * the shop's own whose servers may reach the database VIP.
 */
class ShopStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Region and keys come from TENCENTCLOUD_REGION / TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY.
    new tencentcloud.provider.TencentcloudProvider(this, "tencentcloud", {});

    const sshPublicKey = new TerraformVariable(this, "ssh_public_key", {
      type: "string",
      description: "OpenSSH public key installed on all four nodes",
    }).stringValue;
    const operatorCidr = new TerraformVariable(this, "operator_cidr", {
      type: "string",
      description: "Where the operator (and the provisioner) connects from, e.g. 203.0.113.7/32",
    }).stringValue;
    // Fresh CVMs have host keys nobody knows yet: record them on first contact, refuse any change later.
    // Relative to where cdktf runs (this folder): the same path for every operator, so shared state sees no diff.
    const ssh = { knownHostsPath: ".havip/known_hosts", trustOnFirstUse: true };
    // Both pairs keep the default health check (a maintenance flag file): fresh nodes run no web
    // server or database yet, and a check that fails on both nodes leaves the VIP nowhere. Once the
    // service runs, switch to e.g. `healthCheck: { kind: "tcp-port", port: 80 }` and deploy again.

    const web = new HaVipCluster(this, "web", {
      network: { vpcCidr: VPC_CIDR, subnetCidr: CLUSTER_SUBNET_CIDR, availabilityZone: AVAILABILITY_ZONE },
      havips: [{ address: "10.20.1.10" }],
      keepalived: { virtualRouterId: 51 },
      sshPublicKey,
      sshAllowedCidr: operatorCidr,
      ssh,
      serviceIngress: [{ protocol: "TCP", port: "80,443", cidrBlock: "0.0.0.0/0", description: "shop front" }],
    });

    // Same VPC and subnet as `web`: its own node addresses and HAVIP, its own virtual_router_id.
    const db = new HaVipCluster(this, "db", {
      network: web.network,
      nodes: { primaryIp: "10.20.1.7", secondaryIp: "10.20.1.8" },
      havips: [{ address: "10.20.1.20" }],
      keepalived: { virtualRouterId: 52 },
      // One public key can be imported once per account and region: the second pair shares the first one's key pair.
      sshKeyPairId: web.keyPairId,
      sshAllowedCidr: operatorCidr,
      ssh,
      eip: false,
      serviceIngress: [{ protocol: "TCP", port: "5432", cidrBlock: APP_SUBNET_CIDR, description: "app servers" }],
    });

    new tencentcloud.subnet.Subnet(this, "app-subnet", {
      name: "shop-app",
      vpcId: web.network.vpcId,
      cidrBlock: APP_SUBNET_CIDR,
      availabilityZone: AVAILABILITY_ZONE,
    });

    new TerraformOutput(this, "shop_url", { value: `http://${web.eipAddress}/`, description: "Public address of the web VIP" });
    new TerraformOutput(this, "database_address", {
      value: db.havipAddresses[0],
      description: "Database VIP, reachable from the app subnet",
    });
  }
}

const app = new App();
new ShopStack(app, "shop");
app.synth();
