set -eu
if [ -f /etc/sysctl.d/90-havip-nonlocal-bind.conf ]; then rm -f /etc/sysctl.d/90-havip-nonlocal-bind.conf; sysctl -q -w net.ipv4.ip_nonlocal_bind=0; fi
sysctl -n net.ipv4.ip_nonlocal_bind
