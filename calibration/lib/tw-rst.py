#!/usr/bin/env python3
# Recording calibration/data/kernel-tw-rst-rt.json (session 34): run as root inside a fresh network
# namespace (`unshare -n python3 tw-rst.py 40`, loopback only). What an RST does to the socket of
# the end that closed first (tcp_timewait_state_process(), net/ipv4/tcp_minisocks.c):
#  1. abort: A closes first (close(): FIN, orphaned), B reads EOF and aborts (SO_LINGER 0: RST
#     with seq = A's rcv_nxt). A's timewait sock is in its FIN_WAIT2 substate: `if (th->rst) goto kill`.
#  2. control: A closes first, B closes (FIN): A holds a TIME_WAIT per connection.
#  3. the TIME_WAITs of 2 then get a forged RST from B's 4-tuple (raw socket, no options): in
#     window (seq == tw_rcv_nxt, sniffed from B's FIN on lo) with tcp_rfc1337 0, out of window
#     (tw_rcv_nxt + 100000) with tcp_rfc1337 0, in window with tcp_rfc1337 1.
# Counted after each step: `ss -tan` states of A's port, /proc/net/sockstat's tw, TcpExt counters.
import json, os, socket, struct, sys, time

from procnet import netstat, sh, sockstat, states

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
PORT = 5634


def sysctl(key, value):
    sh('sysctl', '-qw', f'{key}={value}')


KEYS = ['TCPAbortOnClose', 'TCPTimeWaitOverflow', 'TCPACKSkippedTimeWait', 'TCPACKSkippedFinWait2', 'TWKilled']


def snapshot(label):
    time.sleep(0.3)
    ss = states(f'( sport = :{PORT} )', skip=('LISTEN',))  # A's side: the listener's port
    return {'step': label, 'ss': ss, 'sockstatTw': sockstat()['tw'], 'netstat': netstat(KEYS)}


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def send_rst(raw, sport, dport, seq):
    """An RST (no ACK, no options) from 127.0.0.1:sport to 127.0.0.1:dport with sequence `seq`."""
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xFFFFFFFF, 0, 5 << 4, 0x04, 0, 0, 0)
    pseudo = socket.inet_aton('127.0.0.1') * 2 + struct.pack('!BBH', 0, socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack('!H', csum(pseudo + hdr)) + hdr[18:]
    raw.sendto(hdr, ('127.0.0.1', 0))


def pairs(srv, n):
    """n connections: (A = the accepted end, which closes first; B = the client end)."""
    out = []
    for _ in range(n):
        b = socket.create_connection(('127.0.0.1', PORT))
        a, _ = srv.accept()
        out.append((a, b))
    return out


sh('ip', 'link', 'set', 'lo', 'up')
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', PORT))
srv.listen(128)
steps = [snapshot('start')]

# 1. A closes first, B aborts.
conns = pairs(srv, N)
for a, _ in conns:
    a.close()
steps.append(snapshot('A closed first, B in CLOSE_WAIT'))
for _, b in conns:
    assert b.recv(1) == b''
    b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    b.close()
steps.append(snapshot('B aborted (SO_LINGER 0: RST)'))

# 2. A closes first, B closes: TIME_WAITs on A's side; B's FINs sniffed for their sequence numbers.
sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0800))
sniff.bind(('lo', 0))
sniff.settimeout(0.2)
conns = pairs(srv, N)
ports = [b.getsockname()[1] for _, b in conns]
for a, _ in conns:
    a.close()
for _, b in conns:
    assert b.recv(1) == b''
    b.close()
fin_seq = {}
try:
    while True:
        pkt = sniff.recv(65535)
        ip = pkt[14:] if len(pkt) >= 14 and pkt[12:14] == b'\x08\x00' else pkt
        ihl = (ip[0] & 15) * 4
        if ip[9] != socket.IPPROTO_TCP:
            continue
        sport, dport, seq = struct.unpack('!HHI', ip[ihl:ihl + 8])
        flags = ip[ihl + 13]
        if dport == PORT and flags & 0x01:
            fin_seq[sport] = seq
except socket.timeout:
    pass
steps.append(snapshot('B closed too (FIN): TIME_WAITs on A'))

raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
third = N // 4
groups = [
    ('in-window RST, tcp_rfc1337 0', ports[:third], 0, 1),
    ('out-of-window RST (tw_rcv_nxt + 100000), tcp_rfc1337 0', ports[third:2 * third], 0, 100001),
    ('in-window RST, tcp_rfc1337 1', ports[2 * third:3 * third], 1, 1),
]
for label, group, rfc1337, offset in groups:
    sysctl('net.ipv4.tcp_rfc1337', rfc1337)
    for p in group:
        send_rst(raw, p, PORT, fin_seq[p] + offset)
    steps.append(dict(snapshot(label), rsts=len(group)))
sysctl('net.ipv4.tcp_rfc1337', 0)

print(json.dumps({
    'n': N,
    'finSeqSniffed': len(fin_seq),
    'sysctls': {k: open('/proc/sys/net/ipv4/' + k).read().strip() for k in
                ['tcp_rfc1337', 'tcp_fin_timeout', 'tcp_max_tw_buckets', 'tcp_timestamps']},
    'steps': steps,
}, indent=1))
