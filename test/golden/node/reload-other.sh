kill -HUP "$(cat /run/keepalived.pid)"
