set -u
if dnf versionlock --help >/dev/null 2>&1; then dnf -q versionlock delete keepalived >/dev/null 2>&1 || true; fi
rc=0
( dnf upgrade -y -q keepalived </dev/null ) || rc=$?
if dnf versionlock --help >/dev/null 2>&1; then dnf -q versionlock add keepalived >/dev/null && echo hold=held; else echo hold=no-versionlock-plugin; fi >/dev/null
exit "$rc"
