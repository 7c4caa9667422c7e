set -eu
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
cd "$workdir"
curl -fsSL --retry 2 -o keepalived.tar.gz https://example.com/keepalived-2.2.8.tar.gz
echo 'abababababababababababababababababababababababababababababababab  keepalived.tar.gz' | sha256sum --strict -c -
tar xzf keepalived.tar.gz --strip-components=1
./configure --prefix=/usr --sysconfdir=/etc >/dev/null
make -j"$(nproc)" >/dev/null
make install >/dev/null
