#!/bin/bash
# nginx 1.22.1 with `proxy_pass http://localhost:8080` (localhost → ::1, 127.0.0.1 as in
# ../implicit-upstream/run.sh) and proxy_read_timeout 1s, in a network namespace, before a node
# app on `::` (app.cjs: /slow answers after 1.5 s, /kill exits with the request unanswered and is
# restarted by a loop 0.3 s later, / answers at once). One fixed sequence of curl requests, the
# failures after the connect that ngx_http_upstream_next sends on (or not) to the next address:
#   GET /slow, GET /            (timeout on both addresses; then both down: no live upstreams)
#   12 s, POST /slow, GET /     (a POST already sent is not sent again; the other address serves)
#   12 s, GET /kill, 1 s, GET / (the app dies with a GET: the next address is refused; both down)
#   12 s, POST /kill, 1 s, GET / (the app dies with a POST: 502 at once; the other address serves)
# Writes access.log ($msec method uri status $upstream_addr|$upstream_status|$request_time),
# error.log and the app's log under /tmp/next-upstream. Bounded: 8 requests to 127.0.0.1 in ~45 s.
# Usage (root): calibration/nginx/next-upstream/run.sh
# Recorded session 33 into calibration/data/nginx-next-upstream.json, compared by
# test/model/proxy/upstream-next.test.ts.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
NS=next-upstream
W=/tmp/next-upstream
rm -rf $W && mkdir -p $W/ng/logs && cp "$HERE/nginx.conf" "$HERE/app.cjs" $W/
ip netns add $NS
trap 'ip netns del $NS; rm -rf /etc/netns/$NS' EXIT
mkdir -p /etc/netns/$NS
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' > /etc/netns/$NS/hosts
ip netns exec $NS bash -eu -c "
  ip link set lo up
  ( for r in 1 2 3; do node $W/app.cjs >> $W/app.log & echo \$! > $W/app.pid; wait \$! || true; sleep 0.3; done ) & LOOP=\$!
  sleep 0.5
  nginx -p $W/ng -c $W/nginx.conf
  sleep 0.3
  c() { curl -s -o /dev/null -m 10 \"\$@\" || true; }
  c http://127.0.0.1:8081/slow; c http://127.0.0.1:8081/
  sleep 12
  c -X POST -d x http://127.0.0.1:8081/slow; c http://127.0.0.1:8081/
  sleep 12
  c http://127.0.0.1:8081/kill; sleep 1; c http://127.0.0.1:8081/
  sleep 12
  c -X POST -d x http://127.0.0.1:8081/kill; sleep 1; c http://127.0.0.1:8081/
  nginx -p $W/ng -c $W/nginx.conf -s stop
  kill \$LOOP 2>/dev/null || true
  kill \$(cat $W/app.pid) 2>/dev/null || true
"
