#!/usr/bin/env python3
# Recording calibration/data/kernel-stale-tuple-rt.json (session 34): run as root
# (`python3 stale-tuple.py 8`); makes two network namespaces joined by a veth pair and removes them.
# A client connects from a fixed port to a server that accepts and holds the connection; the client
# then vanishes without a word (its link down, its socket closed with SO_LINGER 0: the RST finds
# no route), its link comes back and it connects again from the same port. The server still holds
# the old 4-tuple ESTABLISHED. Linux (6.18): the SYN meets that socket, tcp_validate_incoming()
# sends a challenge ACK (tcp_send_challenge_ack(), RFC 5961 §4: TCPChallengeACK, TCPSYNChallenge),
# the client in SYN_SENT answers its unacceptable ACK with RST (tcp_rcv_synsent_state_process():
# reset_and_undo) carrying seq = the ACK's ack_seq = the server's rcv_nxt, which resets the stale
# socket (tcp_reset(): its recv() reads ECONNRESET), and the SYN's retransmission 1 s later
# (TCP_TIMEOUT_INIT) connects. Recorded per connection: the connect's duration, when the server's
# old socket read ECONNRESET (from the connect's start), and the segments on the server's veth.
import ctypes, errno, json, os, select, socket, struct, subprocess, sys, time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8
PORT = 5636
CLI, SRV = 'kern34-stale-cli', 'kern34-stale-srv'
CLI_IP, SRV_IP = '10.34.0.1', '10.34.0.2'
libc = ctypes.CDLL('libc.so.6', use_errno=True)
CLONE_NEWNET = 0x40000000
T0 = time.monotonic()


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


HOME_NS = os.open('/proc/self/ns/net', os.O_RDONLY)


def enter(ns):
    fd = os.open(f'/run/netns/{ns}', os.O_RDONLY) if ns else HOME_NS
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'setns')
    if ns:
        os.close(fd)


def netstat(ns, keys):
    out = sh('ip', 'netns', 'exec', ns, 'cat', '/proc/net/netstat').split('\n')
    for i in range(0, len(out) - 1, 2):
        if out[i].startswith('TcpExt:'):
            d = dict(zip(out[i].split()[1:], map(int, out[i + 1].split()[1:])))
            return {k: d.get(k) for k in keys}


def link(state):
    sh('ip', '-n', CLI, 'link', 'set', 'vc', state)
    if state == 'up':
        for _ in range(100):
            if SRV_IP.rsplit('.', 1)[0] in sh('ip', '-n', CLI, 'route'):
                return
            time.sleep(0.01)


def segments(sniff):
    """TCP segments seen on the server's veth since the last call: ms (when read), sender, flags."""
    out = []
    try:
        while True:
            pkt, _ = sniff.recvfrom(65535)
            if pkt[12:14] != b'\x08\x00' or pkt[23] != socket.IPPROTO_TCP:
                continue
            ip = pkt[14:]
            ihl = (ip[0] & 15) * 4
            sport, dport = struct.unpack('!HH', ip[ihl:ihl + 4])
            f = ip[ihl + 13]
            flags = ''.join(n for b, n in [(2, 'S'), (16, '.'), (4, 'R'), (1, 'F'), (8, 'P')] if f & b)
            out.append({'t': round((time.monotonic() - T0) * 1000, 1), 'from': 'client' if dport == PORT else 'server', 'flags': flags})
    except BlockingIOError:
        pass
    return out


for ns in (CLI, SRV):
    subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
    sh('ip', 'netns', 'add', ns)
try:
    sh('ip', '-n', CLI, 'link', 'add', 'vc', 'type', 'veth', 'peer', 'name', 'vs', 'netns', SRV)
    sh('ip', '-n', CLI, 'addr', 'add', CLI_IP + '/24', 'dev', 'vc')
    sh('ip', '-n', SRV, 'addr', 'add', SRV_IP + '/24', 'dev', 'vs')
    for ns, dev in ((CLI, 'vc'), (SRV, 'vs')):
        sh('ip', '-n', ns, 'link', 'set', 'lo', 'up')
        sh('ip', '-n', ns, 'link', 'set', dev, 'up')
    enter(SRV)
    srv = socket.socket()
    srv.bind((SRV_IP, PORT))
    srv.listen(16)
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
    sniff.bind(('vs', 0))
    sniff.setblocking(False)
    enter(CLI)
    keys = ['TCPChallengeACK', 'TCPSYNChallenge', 'TCPSynRetrans', 'TCPAbortOnClose']
    before = {'server': netstat(SRV, keys), 'client': netstat(CLI, keys)}
    runs = []
    for i in range(N):
        cport = 41000 + i
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((CLI_IP, cport))
        c.connect((SRV_IP, PORT))
        old, _ = srv.accept()
        time.sleep(0.05)
        link('down')
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        c.close()  # its RST finds no route
        link('up')
        time.sleep(0.05 + 0.037 * i)  # a different phase against the timer wheel each time
        segments(sniff)
        T0 = time.monotonic()
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((CLI_IP, cport))
        c.setblocking(False)
        try:
            c.connect((SRV_IP, PORT))
        except BlockingIOError:
            pass
        reset_at = connected_at = None
        old.setblocking(False)
        seen = []
        while connected_at is None or reset_at is None:
            if time.monotonic() - T0 > 10:
                break
            r, w, _ = select.select([sniff] + ([old] if reset_at is None else []), [c] if connected_at is None else [], [], 0.005)
            now = round((time.monotonic() - T0) * 1000, 1)
            if sniff in r:
                seen += segments(sniff)
            if old in r:
                try:
                    old.recv(10)
                    reset_at = ('eof', now)
                except OSError as ex:
                    reset_at = (errno.errorcode.get(ex.errno, ex.errno), now)
            if c in w:
                e = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                connected_at = (errno.errorcode.get(e, e) if e else 'connected', now)
        new, _ = srv.accept()
        time.sleep(0.05)
        seen += segments(sniff)
        runs.append({
            'clientPort': cport,
            'connect': {'result': connected_at[0], 'ms': connected_at[1]} if connected_at else None,
            'staleSocket': {'read': reset_at[0], 'ms': reset_at[1]} if reset_at else None,
            'segments': seen,
        })
        for s in (c, new, old):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            s.close()
        time.sleep(0.05)
    after = {'server': netstat(SRV, keys), 'client': netstat(CLI, keys)}
    print(json.dumps({
        'n': N,
        'netstat': {side: {k: after[side][k] - before[side][k] for k in keys} for side in after},
        'runs': runs,
    }, indent=1))
finally:
    enter(None)
    for ns in (CLI, SRV):
        subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
