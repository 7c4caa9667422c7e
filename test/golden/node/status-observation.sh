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
tail -n 5 /var/log/keepalived.log 2>/dev/null | sed 's/^/notify_log=/'
