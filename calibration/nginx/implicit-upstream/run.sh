#!/bin/bash
# nginx 1.22.1 with `proxy_pass http://localhost:8080` in a network namespace whose /etc/hosts
# (ip netns exec bind-mounts /etc/netns/NS/hosts) has Debian's `127.0.0.1 localhost` and
# `::1 localhost`: one request a second (curl) for N requests to an app listening on ADDR
# (127.0.0.1: IPv4 only; `::`: both), SIGKILLed after request K (0: never). Writes the access log
# ($msec $status $upstream_addr) and error.log under /tmp/implicit-upstream/ng/logs.
# Usage (root): calibration/nginx/implicit-upstream/run.sh ADDR N K
# Recorded session 32 into calibration/data/nginx-implicit-upstream.json (runs v4only: 127.0.0.1 40 0,
# dual-kill: :: 30 6), replayed by test/model/proxy/upstream-peers.test.ts.
set -eu
ADDR=$1 N=$2 K=$3
HERE=$(cd "$(dirname "$0")" && pwd)
NS=implicit-upstream
W=/tmp/implicit-upstream
rm -rf $W && mkdir -p $W/ng/logs && cp "$HERE/nginx.conf" "$HERE/app.cjs" $W/
ip netns add $NS
trap 'ip netns del $NS; rm -rf /etc/netns/$NS' EXIT
mkdir -p /etc/netns/$NS
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' > /etc/netns/$NS/hosts
ip netns exec $NS bash -eu -c "
  ip link set lo up
  node $W/app.cjs $ADDR & APP=\$!
  sleep 0.5
  nginx -p $W/ng -c $W/nginx.conf
  sleep 0.3
  for i in \$(seq 1 $N); do
    curl -s -o /dev/null http://127.0.0.1:8081/ || true
    [ \$i = $K ] && kill -9 \$APP
    sleep 1
  done
  nginx -p $W/ng -c $W/nginx.conf -s stop
  kill \$APP 2>/dev/null || true
"
