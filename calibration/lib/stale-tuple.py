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
import errno, json, os, select, socket, struct, subprocess, sys, time

import veth_pair
from procnet import sh
from veth_pair import enter, make_pair
from veth_pair import netstat_in as netstat

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8
PORT = 5636
CLI, SRV = 'kern34-stale-cli', 'kern34-stale-srv'
CLI_IP, SRV_IP = '10.34.0.1', '10.34.0.2'
T0 = time.monotonic()


def link(state):
    veth_pair.link(CLI, 'vc', state, SRV_IP)


def segments(sniff):
    """TCP segments seen on the server's veth since the last call: ms since T0 (reset at each run's connect; when read), sender, flags."""
    return veth_pair.segments(sniff, PORT, T0, 'client', 'server')


try:
    make_pair(CLI, 'vc', CLI_IP, SRV, 'vs', SRV_IP)
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
