set -eu
umask 077
mkdir -p /etc/keepalived
cat > /etc/keepalived/keepalived.conf.havip-new
chown root:root /etc/keepalived/keepalived.conf.havip-new
chmod 0600 /etc/keepalived/keepalived.conf.havip-new
