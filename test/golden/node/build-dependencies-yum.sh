yum install -y -q gcc make curl openssl-devel libnl3-devel </dev/null
