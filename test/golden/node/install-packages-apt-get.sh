mkdir -p /run/lock && exec 8>>'/run/lock/havip-cluster-packages.lock' || exit 73
if ! flock -w 600 8; then
  echo 'waited 600 s for /run/lock/havip-cluster-packages.lock: a package installation of another provisioning run (a killed one?) is still running on this node' >&2
  exit 75
fi
( exec 8>&-
export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq keepalived curl </dev/null
)
