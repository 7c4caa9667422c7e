export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq build-essential pkg-config curl libssl-dev libnl-3-dev libnl-genl-3-dev </dev/null
