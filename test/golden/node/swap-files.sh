set -eu
if [ -f /etc/keepalived/keepalived.conf ]; then cp -p /etc/keepalived/keepalived.conf /etc/keepalived/keepalived.conf.havip-bak; fi; mv -f /etc/keepalived/keepalived.conf.havip-new /etc/keepalived/keepalived.conf
if [ -f /etc/keepalived/havip-notify.sh ]; then cp -p /etc/keepalived/havip-notify.sh /etc/keepalived/havip-notify.sh.havip-bak; fi; mv -f /etc/keepalived/havip-notify.sh.havip-new /etc/keepalived/havip-notify.sh
if [ -f /etc/keepalived/havip-check.sh ]; then cp -p /etc/keepalived/havip-check.sh /etc/keepalived/havip-check.sh.havip-bak; fi; mv -f /etc/keepalived/havip-check.sh.havip-new /etc/keepalived/havip-check.sh
