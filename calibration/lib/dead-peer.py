#!/usr/bin/env python3
# Dead-peer detection on loopback, run inside the harness's namespace (lib/dead-peer.mjs):
#   dead-peer.py <port> <mode> <conns> <stagger_ms> <write_ms> <user_timeout_ms> <limit_s> [input|output]
# A server thread accepts and echoes. `conns` client connections each exchange three echoes (an
# RTT sample for the RTO), then one nft rule drops every segment to and from the server port in
# the namespace (the peer "vanishes": no FIN, no RST). Connection i then starts its part
# i · stagger_ms later. The rule sits on the input hook (by default): every segment still leaves its sender
# (the send succeeds, as towards a host that is gone) and is dropped on arrival. On the output hook
# the sender's own transmission fails (-EPERM), which the kernel treats differently: no
# TcpRetransSegs, no loss probe: the zero-window probe timer counts instead (data/*-outputdrop-rt.json
# and the *-localdrop experiments, which ask for `output`).
#   write      send one byte, then one every write_ms (Nagle holds them: data stays outstanding)
#              until the socket reports an error (ETIMEDOUT after tcp_retries2 / TCP_USER_TIMEOUT);
#   keepalive  set SO_KEEPALIVE on the idle socket (the namespace's tcp_keepalive_* apply) and wait
#              for the error;
#   orphan     close() it: the kernel keeps the orphan in FIN_WAIT1, retransmitting its FIN, until
#              tcp_orphan_retries ends it (seen in /proc/net/tcp, polled every 10 ms).
# Prints one JSON object: per connection its start (`startAt`, s since the drop), when the peer
# was last heard, when it ended and how, and the namespace's TCP counters before and after.
import errno
import json
import select
import socket
import subprocess
import sys
import threading
import time

port, mode, conns, stagger_ms, write_ms, user_timeout_ms, limit_s = sys.argv[1:8]
hook = sys.argv[8] if len(sys.argv) > 8 else 'input'
port, conns, stagger, write_every = int(port), int(conns), int(stagger_ms) / 1000, int(write_ms) / 1000
user_timeout_ms, limit_s = int(user_timeout_ms), float(limit_s)
TCP_USER_TIMEOUT = getattr(socket, 'TCP_USER_TIMEOUT', 18)
now = time.monotonic


def serve(listener):
    def echo(c):
        try:
            while True:
                data = c.recv(4096)
                if not data:
                    return
                c.sendall(data)
        except OSError:
            return

    while True:
        c, _ = listener.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def counters():
    """TcpRetransSegs and the TcpExt counters of this namespace (/proc/net/snmp, /proc/net/netstat)."""
    out = {}
    for path in ('/proc/net/snmp', '/proc/net/netstat'):
        lines = open(path).read().splitlines()
        for head, vals in zip(lines[0::2], lines[1::2]):
            names, values = head.split()[1:], vals.split()[1:]
            prefix = head.split(':')[0]
            for n, v in zip(names, values):
                out[f'{prefix}{n}'] = int(v)
    keep = ('TcpRetransSegs', 'TcpExtTCPLossProbes', 'TcpExtTCPTimeouts', 'TcpExtTCPAbortOnTimeout',
            'TcpExtTCPKeepAlive', 'TcpOutRsts')
    return {k: out.get(k) for k in keep}


def fin_wait1_ports():
    """Local ports of this namespace's sockets in FIN_WAIT1 (state 04) towards the server port."""
    ports = set()
    for line in open('/proc/net/tcp').read().splitlines()[1:]:
        f = line.split()
        local, remote, state = f[1], f[2], f[3]
        if state == '04' and int(remote.split(':')[1], 16) == port:
            ports.add(int(local.split(':')[1], 16))
    return ports


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(('127.0.0.1', port))
listener.listen(64)
threading.Thread(target=serve, args=(listener,), daemon=True).start()

socks = []
for i in range(conns):
    s = socket.create_connection(('127.0.0.1', port))
    if user_timeout_ms > 0:
        s.setsockopt(socket.IPPROTO_TCP, TCP_USER_TIMEOUT, user_timeout_ms)
    socks.append(s)
last_heard = []
for s in socks:
    for _ in range(3):
        s.sendall(b'x')
        s.recv(1)
        time.sleep(0.02)
    last_heard.append(now())
# Let every delayed ACK go out before the peer vanishes.
time.sleep(0.3)
before = counters()
subprocess.run(['nft', '-f', '-'], check=True, text=True, input=(
    f'table inet deadpeer {{\n chain vanish {{\n  type filter hook {hook} priority 0;\n'
    f'  tcp dport {port} drop\n  tcp sport {port} drop\n }}\n}}\n'))
t0 = now()

rows = [{'i': i, 'port': s.getsockname()[1], 'lastHeardAt': round(last_heard[i] - t0, 4)} for i, s in enumerate(socks)]
start = [t0 + i * stagger for i in range(conns)]
next_write = [None] * conns
open_ = set(range(conns))
poller = select.poll()
by_fd = {s.fileno(): i for i, s in enumerate(socks)}
orphans = {}
deadline = t0 + limit_s
while open_ and now() < deadline:
    t = now()
    for i in sorted(open_):
        if 'startAt' in rows[i] or t < start[i]:
            continue
        rows[i]['startAt'] = round(t - t0, 4)
        s = socks[i]
        if mode == 'write':
            s.send(b'w')
            next_write[i] = t + write_every
            poller.register(s, select.POLLIN | select.POLLERR | select.POLLHUP)
        elif mode == 'keepalive':
            s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            poller.register(s, select.POLLIN | select.POLLERR | select.POLLHUP)
        else:
            orphans[rows[i]['port']] = i
            s.close()
    if mode == 'write':
        for i in list(open_):
            if next_write[i] is not None and t >= next_write[i]:
                try:
                    socks[i].send(b'w')
                except OSError as e:
                    # The error came between two polls: send() reports (and clears) it.
                    rows[i]['endAt'] = round(now() - t0, 4)
                    rows[i]['code'] = errno.errorcode.get(e.errno, str(e.errno))
                    poller.unregister(socks[i])
                    open_.discard(i)
                    continue
                next_write[i] += write_every
    if mode == 'orphan':
        alive = fin_wait1_ports()
        for p, i in list(orphans.items()):
            if p not in alive and 'startAt' in rows[i]:
                rows[i]['endAt'] = round(now() - t0, 4)
                rows[i]['code'] = 'GONE'
                del orphans[p]
                open_.discard(i)
        time.sleep(0.01)
        continue
    for fd, _ in poller.poll(10):
        i = by_fd[fd]
        err = socks[i].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        rows[i]['endAt'] = round(now() - t0, 4)
        rows[i]['code'] = errno.errorcode.get(err, str(err)) if err else 'EVENT'
        poller.unregister(fd)
        open_.discard(i)
after = counters()
print(json.dumps({'rows': rows, 'counters': {'before': before, 'after': after}, 'unfinished': sorted(open_)}))
