#!/usr/bin/env python3
# Recording calibration/data/kernel-port-walk-cost-rt.json (session 32): run inside a fresh network
# namespace (`ip netns exec NS python3 port-walk-cost.py 300`, ip_local_port_range set first): the
# kernel CPU time of a connect() that walks an exhausted range and fails with EADDRNOTAVAIL.
import socket, time, resource, sys, errno
PORT = 5556
srv = socket.socket(); srv.bind(('127.0.0.1', PORT)); srv.listen(0)
held = []
t = time.monotonic()
while True:
    s = socket.socket(); s.setblocking(False)
    try:
        s.connect(('127.0.0.1', PORT))
    except BlockingIOError:
        pass
    except OSError as e:
        s.close()
        if e.errno == errno.EADDRNOTAVAIL: break
        raise
    held.append(s)
print('held', len(held), 'in', round(time.monotonic() - t, 2), 's')
N = int(sys.argv[1]) if len(sys.argv) > 1 else 500
r0 = resource.getrusage(resource.RUSAGE_SELF); w0 = time.monotonic(); fails = 0
for i in range(N):
    s = socket.socket(); s.setblocking(False)
    try:
        s.connect(('127.0.0.1', PORT))
    except OSError as e:
        if e.errno == errno.EADDRNOTAVAIL: fails += 1
    s.close()
r1 = resource.getrusage(resource.RUSAGE_SELF); w1 = time.monotonic()
print('fails', fails, 'of', N, 'sys ms/connect', round((r1.ru_stime - r0.ru_stime) * 1000 / N, 3), 'user ms/connect', round((r1.ru_utime - r0.ru_utime) * 1000 / N, 3), 'wall ms/connect', round((w1 - w0) * 1000 / N, 3))
