if ! id -u keepalived_script >/dev/null 2>&1; then useradd --system --no-create-home --shell /usr/sbin/nologin keepalived_script; fi
