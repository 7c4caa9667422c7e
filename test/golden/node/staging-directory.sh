rm -rf /etc/keepalived/.havip-staging && install -d -m 0711 -o root -g root /etc/keepalived/.havip-staging
