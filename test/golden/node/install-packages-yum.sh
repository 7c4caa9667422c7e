yum install -y -q keepalived curl </dev/null
