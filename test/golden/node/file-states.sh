set -- /etc/keepalived/keepalived.conf /etc/keepalived/havip-notify.sh /etc/keepalived/havip-check.sh /etc/logrotate.d/havip-keepalived
for f in "$@"; do
  if [ -f "$f" ]; then
    printf '%s\t%s\t%s\n' "$f" "$(stat -c '%a %U %G' "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"
  else
    printf '%s\tmissing\n' "$f"
  fi
done
