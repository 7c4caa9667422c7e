export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq keepalived curl </dev/null
