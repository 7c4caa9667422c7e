set -eu
mv -f /etc/keepalived/keepalived.conf.havip-bak /etc/keepalived/keepalived.conf
rm -f /etc/keepalived/havip-notify.sh
mv -f /etc/keepalived/havip-check.sh.havip-bak /etc/keepalived/havip-check.sh
