set -eu; umask 077; mkdir -p /var/keepalived; cat > /var/keepalived/.havip-applied
