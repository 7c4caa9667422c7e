echo "unit_state=$(systemctl is-active keepalived 2>/dev/null)"
pid=$(systemctl show -p MainPID keepalived 2>/dev/null | sed -n 's/^MainPID=//p')
if [ -n "$pid" ] && [ "$pid" != 0 ] && [ -r "/proc/$pid/stat" ]; then
  echo "pid_comm=$(cat "/proc/$pid/comm" 2>/dev/null)"
  sed 's/^.*) //' "/proc/$pid/stat" | awk '{print "pid_state=" $1; print "pid_start_ticks=" $20}'
  echo "clock_ticks=$(getconf CLK_TCK)"
  sed -n 's/^btime /boot_time=/p' /proc/stat
fi
ip -o -4 addr show dev eth0 2>/dev/null | awk '{print "address=" $4}'
if [ -r /var/keepalived/state ]; then sed -n '1s/^/state=/p' /var/keepalived/state; echo "state_written_at=$(date -r /var/keepalived/state +%s.%N)"; fi
