#!/usr/bin/env python3
# Held-out round 30's kernel sockets, second batch (calibration/lib/holdout30.mjs runs this inside
# its namespace; the helpers are round 29's, holdout29.py).
#
#   twfw2 <port> <tw> <fw2> <spacing_ms>
#     tw connections to port+1, whose server closes at EOF, each closed by the client first (its
#     socket to TIME_WAIT), spacing_ms apart; 0.5 s later fw2 connections to port, a listener that
#     never accept()s nor reads, each closed by the client (FIN acked by the child's kernel, no FIN
#     back: tcp_rcv_state_process -> tcp_time_wait(sk, TCP_FIN_WAIT2, tmo), whose inet_twsk_alloc()
#     refuses once TIME_WAITs and FIN_WAIT2 timewait socks reach tcp_max_tw_buckets:
#     TCPTimeWaitOverflow, tcp_done() closes the socket at once), spacing_ms apart. 0.5 s later: ss
#     and the counters.
# Prints one JSON object.
import json
import socket
import sys
import threading
import time

from holdout29 import counters, delta, port_of, ss, ss_rows


def twfw2(port, tw, fw2, spacing_ms):
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
    for i in range(tw):
        time.sleep(max(0, t0 + i * spacing_ms / 1000 - time.monotonic()))
        s = socket.create_connection(('127.0.0.1', port + 1))
        s.close()
    time.sleep(0.5)
    mid_text = ss()
    mid = ss_rows(mid_text)
    mid_counters = delta(before, counters())
    phase2 = time.monotonic() - t0
    for i in range(fw2):
        time.sleep(max(0, t0 + phase2 + i * spacing_ms / 1000 - time.monotonic()))
        s = socket.create_connection(('127.0.0.1', port))
        s.close()
    time.sleep(0.5)
    text = ss()
    after = counters()
    rows = ss_rows(text)
    out = {
        'phase2At': round(phase2, 6),
        'timeWaitBeforePhase2': sum(1 for r in mid if r['state'] == 'TIME-WAIT' and port_of(r['peer']) == port + 1),
        'countersBeforePhase2': mid_counters,
        'timeWait': sum(1 for r in rows if r['state'] == 'TIME-WAIT' and port_of(r['peer']) == port + 1),
        'finWait2': sum(1 for r in rows if r['state'] == 'FIN-WAIT-2' and port_of(r['peer']) == port),
        'closeWait': sum(1 for r in rows if r['state'] == 'CLOSE-WAIT' and port_of(r['local']) == port),
        'observedAt': round(time.monotonic() - t0, 6),
        'counters': delta(before, after),
        'ss': text,
        'ssBeforePhase2': mid_text,
    }
    print(json.dumps(out))


if __name__ == '__main__':
    mode, *args = sys.argv[1:]
    if mode != 'twfw2':
        raise SystemExit(f'unknown mode {mode}')
    twfw2(int(args[0]), int(args[1]), int(args[2]), float(args[3]))
