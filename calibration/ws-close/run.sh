#!/bin/sh
# Who holds the TIME_WAITs after a WebSocket server's 1001 (README "Calibration", calibration/README.md
# "Who closes a WebSocket's TCP first"). Loopback only, fixed ports 18078-18081, ~4 minutes
# (each run waits out the previous run's 60-s TIME_WAITs). Needs nginx, haproxy, node and the `ws`
# package (not a drainsim dependency): WS_MODULES=/path/to/node_modules (npm install ws@8.21.0).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/ws-close.XXXXXX)
mkdir -p "$dir/tmp"
sed "s|@DIR@|$dir|g" "$here/nginx.conf" > "$dir/nginx.conf"
export NODE_PATH="${WS_MODULES:?set WS_MODULES to a node_modules holding ws}"
node "$here/app.js" & app=$!
nginx -c "$dir/nginx.conf" -p "$dir"
haproxy -D -f "$here/haproxy-tcp.cfg" -p "$dir/hap-tcp.pid"
haproxy -D -f "$here/haproxy-http.cfg" -p "$dir/hap-http.pid"
trap 'kill $app $(cat "$dir/nginx.pid") $(cat "$dir/hap-tcp.pid") $(cat "$dir/hap-http.pid") 2>/dev/null; rm -rf "$dir"' EXIT
sleep 1
echo '# ws clients straight to nginx'; node "$here/client.js" 18080 20; sleep 62
echo '# ws clients through HAProxy mode tcp'; node "$here/client.js" 18079 20; sleep 62
echo '# ws clients through HAProxy mode http'; node "$here/client.js" 18078 20; sleep 62
echo '# RFC 6455 clients (wait for the server FIN) through HAProxy mode tcp'; node "$here/browser.js" 18079 20
