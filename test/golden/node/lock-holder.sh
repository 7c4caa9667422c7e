command -v flock >/dev/null 2>&1 || { echo 'flock(1) is not installed (util-linux)' >&2; exit 69; }
mkdir -p /run/lock || exit 73
exec 9>>'/run/lock/havip-cluster-provision.lock' || exit 73
if ! flock -n 9; then cat '/run/lock/havip-cluster-provision.lock.owner' 2>/dev/null || echo 'unknown owner'; exit 75; fi
printf '%s\n' 'ops@jumpbox pid 4242 since 2026-12-06T10:00:00.000Z' > '/run/lock/havip-cluster-provision.lock.owner'
( echo observed=yes
) 9>&-
echo 'havip-lock: held'
exec cat >/dev/null
