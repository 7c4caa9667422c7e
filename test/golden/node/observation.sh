if [ -r /etc/os-release ]; then . /etc/os-release; fi
echo "os_id=${ID:-unknown}"
echo "os_pretty=${PRETTY_NAME:-unknown}"
for pm in apt-get dnf yum; do
  if command -v "$pm" >/dev/null 2>&1; then echo "package_manager=$pm"; break; fi
done
if [ -d /run/systemd/system ]; then echo "init=systemd"; else echo "init=other"; fi
if command -v keepalived >/dev/null 2>&1; then
  keepalived --version 2>&1 | sed -n '1s/^/keepalived_version=/p'
fi
for dev in /sys/class/net/*; do echo "interface=${dev##*/}"; done
for cmd in curl logrotate; do
  if command -v "$cmd" >/dev/null 2>&1; then echo "command=$cmd"; fi
done
echo "boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)/$(sed 's/.*) //' /proc/1/stat 2>/dev/null | cut -d' ' -f20)"
if [ -d /run/systemd/system ]; then
echo "unit_state=$(systemctl is-active keepalived 2>/dev/null)"
pid=$(systemctl show -p MainPID keepalived 2>/dev/null | sed -n 's/^MainPID=//p')
else
pid=; if [ -r /run/keepalived.pid ]; then pid=$(cat /run/keepalived.pid); fi
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then pid=$(pgrep -o -x keepalived 2>/dev/null); fi
fi
if [ -n "$pid" ] && [ "$pid" != 0 ] && [ -r "/proc/$pid/stat" ]; then
  echo "pid_comm=$(cat "/proc/$pid/comm" 2>/dev/null)"
  sed 's/^.*) //' "/proc/$pid/stat" | awk '{print "pid_state=" $1; print "pid_start_ticks=" $20}'
  echo "clock_ticks=$(getconf CLK_TCK)"
  sed -n 's/^btime /boot_time=/p' /proc/stat
fi
ip -o -4 addr show dev eth0 2>/dev/null | awk '{print "address=" $4}'
if [ -r /var/keepalived/state ]; then sed -n '1s/^/state=/p' /var/keepalived/state; echo "state_written_at=$(date -r /var/keepalived/state +%s.%N)"; fi
set -- /etc/keepalived/keepalived.conf /etc/keepalived/havip-notify.sh /etc/keepalived/havip-check.sh /etc/logrotate.d/havip-keepalived /etc/sysctl.d/90-havip-nonlocal-bind.conf
for f in "$@"; do
  if [ -f "$f" ]; then
    printf 'file=%s\t%s\t%s\n' "$f" "$(stat -c '%a %U %G' "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"
  else
    printf 'file=%s\tmissing\n' "$f"
  fi
done
if [ -r /etc/keepalived/keepalived.conf ]; then sed -n 's/^[[:space:]]*auth_pass[[:space:]][[:space:]]*\([^[:space:]][^[:space:]]*\).*/config_auth_pass=\1/p' /etc/keepalived/keepalived.conf | head -n 1; fi
if [ -r /var/keepalived/.havip-applied ]; then printf 'applied=%s\n' "$(head -n 1 /var/keepalived/.havip-applied)"; fi
if [ -r /var/keepalived/.havip-service-setup ]; then printf 'service_setup=%s\n' "$(head -n 1 /var/keepalived/.havip-service-setup)"; fi
echo "nonlocal_bind=$(cat /proc/sys/net/ipv4/ip_nonlocal_bind 2>/dev/null)"
if command -v dpkg-query >/dev/null 2>&1; then
  for p in nginx curl; do if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ]; then echo "package=$p"; fi; done
elif command -v rpm >/dev/null 2>&1; then
  for p in nginx curl; do if rpm -q --quiet "$p" 2>/dev/null; then echo "package=$p"; fi; done
fi
if command -v dpkg-query >/dev/null 2>&1; then
  if [ "$(dpkg-query -W -f='${db:Status-Want}' keepalived 2>/dev/null)" = hold ]; then echo "keepalived_held=yes"; fi
else
  for f in /etc/dnf/plugins/versionlock.list /etc/yum/pluginconf.d/versionlock.list; do if grep -qs '^[^#]*keepalived-' "$f"; then echo "keepalived_held=yes"; break; fi; done
fi
