#!/usr/bin/env bash
# The set-up of a fresh Debian machine (as root) for the lab and the tests: the apt packages, the
# npm dependencies and the Tencent provider in a local filesystem mirror. Idempotent.
#   bash scripts/setup-debian.sh && npm run lab -- up    # the example app on the local Tencent Cloud
# .ci/run runs it before the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "setup-debian.sh: run it as root (it installs apt packages; the lab needs root too)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "== apt: keepalived, sshd, iproute2, shellcheck, logrotate, curl (the renderer tests use the real ones);"
echo "   debootstrap, systemd-container, dpkg-dev, python3, nftables, openssl (the lab's Debian servers, their package source, the cloud network, the lab CA)"
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  keepalived openssh-server openssh-client iproute2 procps util-linux shellcheck logrotate curl ca-certificates \
  debootstrap debian-archive-keyring systemd-container dpkg-dev python3 nftables openssl >/dev/null
# systemd-container pulls libnss-mymachines, which adds "mymachines" to nsswitch.conf: the lab
# registers no machines (nspawn --register=no), so host lookups need not ask machined.
sed -i -E 's/[[:space:]]+mymachines//g' /etc/nsswitch.conf

echo "== terraform >= 1.7 (not in Debian's archive: install HashiCorp's package or binary first; the lab's deploys and the Terraform checks run the real one)"
if ! terraform version; then
  echo "setup-debian.sh: terraform is not on PATH" >&2
  exit 1
fi

echo "== npm ci (generates the provider bindings from provider-schema/)"
npm ci --no-audit --no-fund

echo "== the Tencent provider 1.83.25 from shared/terraform-providers (or \$TENCENTCLOUD_PROVIDER_DIR) into a local filesystem mirror (no download)"
npx tsx lab/cloud/install-provider.ts
