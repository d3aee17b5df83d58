#!/usr/bin/env python3
# Held-out round 29's sockets (calibration/lib/holdout29.mjs runs this inside its namespace).
#
#   ackq <port> <backlog> <n> <spacing_ms> <observe_s>
#     A listener with `backlog` that never accept()s; n non-blocking connects spacing_ms apart,
#     each client socket with TCP_DEFER_ACCEPT set before connect(): Linux tcp_rcv_synsent_state_process
#     (net/ipv4/tcp_input.c) then answers the SYN-ACK with a delayed ACK (`rskq_defer_accept ...
#     inet_csk_reset_xmit_timer(sk, ICSK_TIME_DACK, TCP_DELACK_MAX ...)`): the client is ESTABLISHED
#     at the SYN-ACK and its final ACK reaches the listener ~200 ms after its SYN, as a remote
#     client's a round trip away (this kernel has no sch_netem). At observe_s: ss and the counters.
#   tw <port> <fw2> <n> <spacing_ms>
#     fw2 connections to a listener that never accept()s nor reads, each closed by the client
#     (FIN acked by the child's kernel, no FIN back: an orphaned FIN_WAIT2, a timewait sock in its
#     FIN_WAIT2 substate, tcp_rcv_state_process -> tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)); 0.5 s
#     later n connections to port+1, whose server closes at EOF, each closed by the client first
#     (its socket to TIME_WAIT), spacing_ms apart. 0.5 s later: ss and the counters.
# Prints one JSON object.
import json
import select
import socket
import subprocess
import sys
import threading
import time


def counters():
    out = {}
    for path in ('/proc/net/snmp', '/proc/net/netstat'):
        with open(path) as f:
            lines = f.read().strip().split('\n')
        for i in range(0, len(lines) - 1, 2):
            names = lines[i].split()
            values = lines[i + 1].split()
            prefix = names[0].rstrip(':')
            for n, v in zip(names[1:], values[1:]):
                out[prefix + n] = int(v)
    return out


def delta(before, after):
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def ss():
    return subprocess.run(['ss', '-tanH'], capture_output=True, text=True).stdout


def ss_rows(text):
    rows = []
    for line in text.strip().split('\n'):
        f = line.split()
        if len(f) < 5:
            continue
        rows.append({'state': f[0], 'recvq': int(f[1]), 'local': f[3], 'peer': f[4]})
    return rows


def port_of(addr):
    return int(addr.rsplit(':', 1)[1])


def ackq(port, backlog, n, spacing_ms, observe_s):
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(('127.0.0.1', port))
    lst.listen(backlog)
    before = counters()
    poll = select.poll()
    socks = {}
    sent = []
    t0 = time.monotonic()
    for i in range(n):
        due = t0 + i * spacing_ms / 1000
        while True:
            now = time.monotonic()
            if now >= due:
                break
            # Poll for completions while waiting for the next connect's time.
            for fd, ev in poll.poll(max(0, (due - now) * 1000)):
                pass
        s = socket.socket()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
        s.setblocking(False)
        t = time.monotonic() - t0
        s.connect_ex(('127.0.0.1', port))
        socks[s.fileno()] = (i, s)
        poll.register(s.fileno(), select.POLLOUT)
        sent.append({'i': i, 't': round(t, 6), 'port': s.getsockname()[1]})
    connected = {}
    end = t0 + observe_s
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        for fd, ev in poll.poll(left * 1000):
            i, s = socks[fd]
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            connected[i] = {'t': round(time.monotonic() - t0, 6), 'err': err}
            poll.unregister(fd)
    text = ss()
    after = counters()
    rows = ss_rows(text)
    out = {
        'sent': sent,
        'connected': [dict(i=i, **v) for i, v in sorted(connected.items())],
        'observedAt': round(time.monotonic() - t0, 6),
        'clientEstablished': sum(1 for r in rows if r['state'] == 'ESTAB' and port_of(r['peer']) == port),
        'clientSynSent': sum(1 for r in rows if r['state'] == 'SYN-SENT' and port_of(r['peer']) == port),
        'synRecv': sum(1 for r in rows if r['state'] == 'SYN-RECV' and port_of(r['local']) == port),
        'acceptQueue': sum(r['recvq'] for r in rows if r['state'] == 'LISTEN' and port_of(r['local']) == port),
        'counters': delta(before, after),
        'ss': text,
    }
    print(json.dumps(out))


def tw(port, fw2, n, spacing_ms):
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(('127.0.0.1', port))
    silent.listen(128)
    closer = socket.socket()
    closer.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    closer.bind(('127.0.0.1', port + 1))
    closer.listen(128)

    def serve():
        while True:
            c, _ = closer.accept()
            while c.recv(4096):
                pass
            c.close()

    threading.Thread(target=serve, daemon=True).start()
    before = counters()
    t0 = time.monotonic()
    for _ in range(fw2):
        s = socket.create_connection(('127.0.0.1', port))
        s.close()
    time.sleep(0.5)
    mid = ss_rows(ss())
    phase2 = time.monotonic() - t0
    for i in range(n):
        due = phase2 + t0 + i * spacing_ms / 1000
        time.sleep(max(0, due - time.monotonic()))
        s = socket.create_connection(('127.0.0.1', port + 1))
        s.close()
    time.sleep(0.5)
    text = ss()
    after = counters()
    rows = ss_rows(text)
    out = {
        'phase2At': round(phase2, 6),
        'finWait2BeforePhase2': sum(1 for r in mid if r['state'] == 'FIN-WAIT-2' and port_of(r['peer']) == port),
        'finWait2': sum(1 for r in rows if r['state'] == 'FIN-WAIT-2' and port_of(r['peer']) == port),
        'timeWait': sum(1 for r in rows if r['state'] == 'TIME-WAIT' and port_of(r['peer']) == port + 1),
        'timeWaitAll': sum(1 for r in rows if r['state'] == 'TIME-WAIT'),
        'observedAt': round(time.monotonic() - t0, 6),
        'counters': delta(before, after),
        'ss': text,
    }
    print(json.dumps(out))


if __name__ == '__main__':
    mode, *args = sys.argv[1:]
    if mode == 'ackq':
        ackq(int(args[0]), int(args[1]), int(args[2]), float(args[3]), float(args[4]))
    elif mode == 'tw':
        tw(int(args[0]), int(args[1]), int(args[2]), float(args[3]))
    else:
        raise SystemExit(f'unknown mode {mode}')
