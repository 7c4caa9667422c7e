systemctl stop keepalived
