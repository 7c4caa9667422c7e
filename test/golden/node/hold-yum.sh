if yum versionlock --help >/dev/null 2>&1; then yum -q versionlock add keepalived >/dev/null && echo hold=held; else echo hold=no-versionlock-plugin; fi
