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
