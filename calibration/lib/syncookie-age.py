#!/usr/bin/env python3
# Recording calibration/data/kernel-syncookie-age-rt.json (session 32): run inside a fresh network
# namespace with net.ipv4.tcp_syncookies 2 (`ip netns exec NS python3 syncookie-age.py 30 260`).
# Connections whose SYN got a cookie and whose final ACK met a full accept queue: when does their
# data copy get RST (the cookie too old to decode: check_tcp_syn_cookie, net/ipv4/syncookies.c)?
import socket, time, select, errno, sys, json
N = int(sys.argv[1]) if len(sys.argv) > 1 else 30
HORIZON = float(sys.argv[2]) if len(sys.argv) > 2 else 200
PORT = 5555
def netstat():
    t = open('/proc/net/netstat').read().split('\n')
    for i in range(0, len(t) - 1, 2):
        if t[i].startswith('TcpExt:'):
            k = t[i].split()[1:]; v = t[i + 1].split()[1:]
            d = dict(zip(k, map(int, v)))
            return {x: d.get(x) for x in ['SyncookiesSent', 'SyncookiesRecv', 'SyncookiesFailed', 'ListenOverflows', 'ListenDrops', 'TCPTimeouts']}
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', PORT)); srv.listen(0)
t0 = time.monotonic()
c0 = socket.create_connection(('127.0.0.1', PORT))  # fills the queue (backlog 0 holds 1)
cl = []
for i in range(N):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(('127.0.0.1', PORT))
    except BlockingIOError: pass
    cl.append({'s': s, 'syn': time.monotonic() - t0, 'conn': None, 'end': None, 'err': None})
accepted = []
out = []
while time.monotonic() - t0 < HORIZON:
    now = time.monotonic() - t0
    if not accepted and now > 2.5:
        a, _ = srv.accept(); accepted.append(a)  # one place frees before the 3-s batch
    for c in cl:
        if c['end'] is not None: continue
        s = c['s']
        if c['conn'] is None:
            r, w, x = select.select([], [s], [], 0)
            if w:
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e: c['end'] = now; c['err'] = errno.errorcode.get(e, e); continue
                c['conn'] = now
                s.send(b'x')
        else:
            r, w, x = select.select([s], [], [], 0)
            if r:
                try:
                    d = s.recv(10)
                    c['end'] = now; c['err'] = 'EOF' if not d else 'data'
                except OSError as ex:
                    c['end'] = now; c['err'] = errno.errorcode.get(ex.errno, ex.errno)
    time.sleep(0.01)
print(json.dumps({'netstat': netstat(), 'clients': [{k: v for k, v in c.items() if k != 's'} for c in cl]}))
