pid=; if [ -r /run/keepalived.pid ]; then pid=$(cat /run/keepalived.pid); fi
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then pid=$(pgrep -o -x keepalived 2>/dev/null); fi
if [ -n "$pid" ] && [ "$pid" != 0 ] && [ -r "/proc/$pid/stat" ]; then
  echo "pid_comm=$(cat "/proc/$pid/comm" 2>/dev/null)"
  sed 's/^.*) //' "/proc/$pid/stat" | awk '{print "pid_state=" $1; print "pid_start_ticks=" $20}'
  echo "clock_ticks=$(getconf CLK_TCK)"
  sed -n 's/^btime /boot_time=/p' /proc/stat
fi
ip -o -4 addr show dev eth0 2>/dev/null | awk '{print "address=" $4}'
if [ -r /var/keepalived/state ]; then sed -n '1s/^/state=/p' /var/keepalived/state; echo "state_written_at=$(date -r /var/keepalived/state +%s.%N)"; fi
