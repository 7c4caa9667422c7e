set -eu
if ! id -u keepalived_script >/dev/null 2>&1; then useradd --system --no-create-home --shell /usr/sbin/nologin keepalived_script; fi
install -d -m 0755 -o keepalived_script /var/keepalived
mkdir -p /var/log/havip
touch /var/log/havip/notify.log && chown keepalived_script /var/log/havip/notify.log && chmod 0640 /var/log/havip/notify.log
