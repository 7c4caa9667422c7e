set -eu
mkdir -p /etc/sysctl.d
cat > /etc/sysctl.d/90-havip-nonlocal-bind.conf.havip-new
chmod 0644 /etc/sysctl.d/90-havip-nonlocal-bind.conf.havip-new
mv -f /etc/sysctl.d/90-havip-nonlocal-bind.conf.havip-new /etc/sysctl.d/90-havip-nonlocal-bind.conf
sysctl -q -p /etc/sysctl.d/90-havip-nonlocal-bind.conf
sysctl -n net.ipv4.ip_nonlocal_bind
