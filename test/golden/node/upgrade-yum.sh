set -u
if yum versionlock --help >/dev/null 2>&1; then yum -q versionlock delete keepalived >/dev/null 2>&1 || true; fi
rc=0
( yum update -y -q keepalived </dev/null ) || rc=$?
if yum versionlock --help >/dev/null 2>&1; then yum -q versionlock add keepalived >/dev/null && echo hold=held; else echo hold=no-versionlock-plugin; fi >/dev/null
exit "$rc"
