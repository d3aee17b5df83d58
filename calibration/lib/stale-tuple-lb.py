#!/usr/bin/env python3
# Recording calibration/data/kernel-stale-tuple-lb-rt.json (session 35): run as root
# (`python3 stale-tuple-lb.py 12`); makes two network namespaces joined by a veth pair and removes
# them. The balancer's namespace runs a real HAProxy in mode tcp (listening on its loopback) and
# the client; the backend's namespace a server that accepts and holds each connection. HAProxy
# connects to the backend from one fixed source port (`source 10.35.0.1:41000`), as the model's
# balancer hands a port out again once its own socket is gone. Per run: a client connects through
# HAProxy and the backend accepts; the balancer's link goes down and the client aborts (SO_LINGER
# 0), so HAProxy closes its server connection (SO_LINGER 0 under FD_LINGER_RISK, src/fd.c: an RST)
# with no route to the backend, which keeps the old 4-tuple ESTABLISHED; the link comes back and a
# new client connects through HAProxy, whose SYN from port 41000 meets that socket. Linux: the
# backend sends a challenge ACK (tcp_validate_incoming() -> tcp_send_challenge_ack()), HAProxy's
# kernel in SYN_SENT answers RST (tcp_rcv_synsent_state_process(): reset_and_undo), which resets
# the stale socket (tcp_reset(): ECONNRESET), and re-arms its SYN timer to TCP_TIMEOUT_MIN
# (2 jiffies). Recorded per run: the segments on the backend's veth, what the backend's old socket
# read and when, and HAProxy's own connect time (tcplog Tc).
import errno, json, os, re, select, socket, struct, subprocess, sys, tempfile, time

import veth_pair
from procnet import sh
from veth_pair import enter, make_pair
from veth_pair import netstat_in as netstat

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8
PORT, FRONT, SRC_PORT = 5636, 8443, 41000
LB, SRV = 'kern35-lb', 'kern35-srv'
LB_IP, SRV_IP = '10.35.0.1', '10.35.0.2'
T0 = time.monotonic()
CONFIG = f"""global
    log stdout format raw local0
defaults
    mode tcp
    log global
    option tcplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:{FRONT}
    default_backend be
backend be
    server s1 {SRV_IP}:{PORT} source {LB_IP}:{SRC_PORT}
"""


def link(state):
    veth_pair.link(LB, 'vl', state, SRV_IP)


def segments(sniff):
    """TCP segments seen on the backend's veth since the last call: ms since T0 (reset at each run's connect; when read), sender, flags."""
    return veth_pair.segments(sniff, PORT, T0, 'lb', 'server')


def lb_sockets():
    """HAProxy's sockets towards the backend (ss in the balancer's namespace)."""
    out = sh('ip', 'netns', 'exec', LB, 'ss', '-tanH', 'dst', f'{SRV_IP}:{PORT}')
    return [l.split()[0] for l in out.strip().split('\n') if l.strip()]


def client():
    c = socket.socket()
    c.connect(('127.0.0.1', FRONT))
    return c


haproxy = None
tmp = tempfile.mkdtemp(prefix='kern35-')
try:
    make_pair(LB, 'vl', LB_IP, SRV, 'vs', SRV_IP)
    enter(SRV)
    srv = socket.socket()
    srv.bind((SRV_IP, PORT))
    srv.listen(16)
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
    sniff.bind(('vs', 0))
    sniff.setblocking(False)
    cfg = os.path.join(tmp, 'haproxy.cfg')
    with open(cfg, 'w') as f:
        f.write(CONFIG)
    logf = open(os.path.join(tmp, 'haproxy.log'), 'w+')
    haproxy = subprocess.Popen(['ip', 'netns', 'exec', LB, 'haproxy', '-db', '-f', cfg], stdout=logf, stderr=subprocess.STDOUT)
    enter(LB)
    for _ in range(100):
        try:
            socket.create_connection(('127.0.0.1', FRONT), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    # That probe's server connection: accept and let it go.
    p, _ = srv.accept()
    p.close()
    time.sleep(0.2)
    keys = ['TCPChallengeACK', 'TCPSYNChallenge', 'TCPSynRetrans', 'TCPAbortOnClose']
    before = {'server': netstat(SRV, keys), 'lb': netstat(LB, keys)}
    runs = []
    for i in range(N):
        c = client()
        old, _ = srv.accept()
        time.sleep(0.05)
        link('down')
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        c.close()  # HAProxy reads the client's RST and closes its server connection: no route
        time.sleep(0.1)
        left = lb_sockets()  # empty: HAProxy's socket is gone, the backend's is not
        link('up')
        time.sleep(0.05 + 0.037 * i)  # a different phase against the timer wheel each time
        segments(sniff)
        T0 = time.monotonic()
        c = client()
        c.sendall(b'x')
        reset_at = None
        old.setblocking(False)
        seen = []
        new = None
        srv.setblocking(False)
        while reset_at is None or new is None:
            if time.monotonic() - T0 > 10:
                break
            r, _, _ = select.select([sniff, srv] + ([old] if reset_at is None else []), [], [], 0.005)
            now = round((time.monotonic() - T0) * 1000, 1)
            if sniff in r:
                seen += segments(sniff)
            if srv in r and new is None:
                new, _ = srv.accept()
                new_at = now
            if old in r:
                try:
                    old.recv(10)
                    reset_at = ('eof', now)
                except OSError as ex:
                    reset_at = (errno.errorcode.get(ex.errno, ex.errno), now)
        srv.setblocking(True)
        time.sleep(0.05)
        seen += segments(sniff)
        runs.append({
            'lbSocketsLeft': left,
            'accepted': {'ms': new_at} if new is not None else None,
            'staleSocket': {'read': reset_at[0], 'ms': reset_at[1]} if reset_at else None,
            'segments': seen,
        })
        for s in (c, new, old):
            if s is not None:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                s.close()
        time.sleep(0.1)
    after = {'server': netstat(SRV, keys), 'lb': netstat(LB, keys)}
    time.sleep(0.2)
    logf.flush()
    logf.seek(0)
    lines = [l.strip() for l in logf.read().split('\n') if ' fe be/s1 ' in l]
    # tcplog: ... fe be/s1 Tw/Tc/Tt bytes termination_state ...; the first line is the probe's,
    # then two per run (the aborted client's, the reconnect's).
    timers = []
    for l in lines:
        m = re.search(r' be/s1 (-?\d+)/(-?\d+)/(\+?-?\d+) \S+ (\S+) ', l)
        if m:
            timers.append({'Tw': int(m.group(1)), 'Tc': int(m.group(2)), 'Tt': m.group(3), 'state': m.group(4)})
    print(json.dumps({
        'n': N,
        'haproxy': sh('haproxy', '-v').split('\n')[0],
        'haproxyConfig': CONFIG,
        'netstat': {side: {k: after[side][k] - before[side][k] for k in keys} for side in after},
        'runs': runs,
        'haproxyLog': lines,
        'haproxyTimers': timers,
    }, indent=1))
finally:
    enter(None)
    if haproxy is not None:
        haproxy.terminate()
        try:
            haproxy.wait(5)
        except subprocess.TimeoutExpired:
            haproxy.kill()
    for ns in (LB, SRV):
        subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
