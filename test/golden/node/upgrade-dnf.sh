mkdir -p /run/lock && exec 8>>'/run/lock/havip-cluster-packages.lock' || exit 73
if ! flock -w 600 8; then
  echo 'waited 600 s for /run/lock/havip-cluster-packages.lock: a package installation of another provisioning run (a killed one?) is still running on this node' >&2
  exit 75
fi
( exec 8>&-
set -u
if dnf versionlock --help >/dev/null 2>&1; then dnf -q versionlock delete keepalived >/dev/null 2>&1 || true; fi
rc=0
( dnf upgrade -y -q keepalived </dev/null ) || rc=$?
if dnf versionlock --help >/dev/null 2>&1; then dnf -q versionlock add keepalived >/dev/null && echo hold=held; else echo hold=no-versionlock-plugin; fi >/dev/null
exit "$rc"
)
