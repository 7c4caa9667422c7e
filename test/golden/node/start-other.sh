setsid keepalived --dont-fork --log-console -f /etc/keepalived/keepalived.conf </dev/null >>/var/log/keepalived-daemon.log 2>&1 &
