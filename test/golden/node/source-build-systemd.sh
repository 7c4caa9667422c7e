set -eu
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
cd "$workdir"
curl -fsSL --retry 2 -o keepalived.tar.gz https://example.com/keepalived-2.2.8.tar.gz
echo 'abababababababababababababababababababababababababababababababab  keepalived.tar.gz' | sha256sum --strict -c -
tar xzf keepalived.tar.gz --strip-components=1
./configure --prefix=/usr --sysconfdir=/etc --with-init=systemd --with-systemdsystemunitdir=/usr/lib/systemd/system >/dev/null
make -j"$(nproc)" >/dev/null
make install >/dev/null
if ! { [ -f /etc/systemd/system/keepalived.service ] || [ -f /usr/lib/systemd/system/keepalived.service ] || [ -f /lib/systemd/system/keepalived.service ]; }; then
  mkdir -p /usr/lib/systemd/system
  cat > /usr/lib/systemd/system/keepalived.service <<'HAVIP_UNIT'
[Unit]
Description=LVS and VRRP High Availability Monitor
After=network-online.target
Wants=network-online.target

[Service]
Type=forking
PIDFile=/run/keepalived.pid
KillMode=process
ExecStart=/usr/sbin/keepalived
ExecReload=/bin/kill -HUP $MAINPID

[Install]
WantedBy=multi-user.target
HAVIP_UNIT
fi
systemctl daemon-reload
