apt-mark hold keepalived >/dev/null && echo hold=held
