/bin/sh -c 'systemctl enable --now nginx && echo '\''it'\'''\''s up'\''' havip-service-setup </dev/null 2>&1
