set -u
apt-mark unhold keepalived >/dev/null
rc=0
( export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --only-upgrade keepalived </dev/null ) || rc=$?
apt-mark hold keepalived >/dev/null && echo hold=held >/dev/null
exit "$rc"
