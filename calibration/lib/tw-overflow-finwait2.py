#!/usr/bin/env python3
# Recording calibration/data/kernel-tw-overflow-finwait2-rt.json (session 34): run as root inside a
# fresh network namespace (`unshare -n python3 tw-overflow-finwait2.py 30 10`, loopback only).
# net.ipv4.tcp_max_tw_buckets is set to the second argument; N connections are opened to a
# listener whose accepted ends (B, the app's sockets) never close; each connecting end (A, as
# nginx's upstream socket at proxy_read_timeout) is close()d — FIN, orphaned, the peer's ACK takes
# it to FIN_WAIT2: tcp_rcv_state_process() → tcp_time_wait(sk, TCP_FIN_WAIT2, tmo), whose
# inet_twsk_alloc() refuses past tcp_max_tw_buckets: TCPTimeWaitOverflow, tcp_done() closes it.
# Then each B writes: the held FIN_WAIT2 timewait socks answer RST (TCP_TW_RST), the 4-tuples
# with no socket left answer RST too (tcp_v4_send_reset()); and a connect() from each A's port
# to the listener tells which ports are still taken (EADDRNOTAVAIL: tcp_twsk_unique() never
# takes over a FIN_WAIT2 substate) — done only for A's ports whose B is gone by then.
import errno, json, socket, sys, time

from procnet import netstat, sh, sockstat, states

N = int(sys.argv[1]) if len(sys.argv) > 1 else 30
BUCKETS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
PORT = 5635


def snapshot(label):
    time.sleep(0.3)
    return {
        'step': label,
        'connectingEnds': states(f'( dport = :{PORT} )'),
        'acceptedEnds': states(f'( sport = :{PORT} )'),
        'sockstat': sockstat(),
        'netstat': netstat(['TCPTimeWaitOverflow', 'TCPAbortOnData', 'TCPAbortOnClose']),
    }


sh('ip', 'link', 'set', 'lo', 'up')
sh('sysctl', '-qw', f'net.ipv4.tcp_max_tw_buckets={BUCKETS}')
srv = socket.socket()
srv.bind(('127.0.0.1', PORT))
srv.listen(256)
steps = [snapshot('start')]
conns = []
for _ in range(N):
    a = socket.create_connection(('127.0.0.1', PORT))
    b, _ = srv.accept()
    conns.append((a, b, a.getsockname()[1]))
steps.append(snapshot(f'{N} connections open'))
for a, _, _ in conns:
    a.close()
steps.append(snapshot("A closed (FIN, orphaned); B's kernel ACKed, B never closes"))
held = set()
for line in sh('ss', '-tanH', 'state', 'fin-wait-2', f'( dport = :{PORT} )').splitlines():
    held.add(int(line.split()[2].rsplit(':', 1)[1]))
writes = []
for _, b, port in conns:
    try:
        b.send(b'late answer')
        time.sleep(0.05)
        b.send(b'x')
        err = None
    except OSError as ex:
        err = errno.errorcode.get(ex.errno, ex.errno)
    writes.append({'port': port, 'finWait2Held': port in held, 'secondWrite': err})
    b.close()
steps.append(snapshot("B wrote its late answer and closed"))
print(json.dumps({
    'n': N,
    'maxTwBuckets': BUCKETS,
    'sysctls': {k: open('/proc/sys/net/ipv4/' + k).read().strip() for k in
                ['tcp_max_tw_buckets', 'tcp_fin_timeout', 'tcp_rfc1337']},
    'steps': steps,
    'writes': writes,
}, indent=1))
