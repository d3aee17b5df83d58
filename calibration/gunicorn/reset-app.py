# The WSGI app of calibration/gunicorn/reset-queue.mjs: every request sleeps SLEEP_S (0.5 s), then
# writes a 2-byte body through the WSGI write() callable (Content-Length set). One JSON line per
# event on stderr, prefixed "APP ", times CLOCK_MONOTONIC (time.monotonic(), the clock node's
# process.hrtime reads, so the recorder puts both on one axis):
#   start: the request the worker read — its path, REMOTE_PORT (the accept()ed peer), the socket's
#          TCP state (TCP_INFO's first byte, tcpi_state: 1 ESTABLISHED, 7 CLOSE; read without
#          touching sk_err, which SO_ERROR would clear) and getpeername() (ENOTCONN on a closed
#          socket: inet_getname(), net/ipv4/af_inet.c, peer == 1);
#   write: what its write() raised (errno name) or null — the exception is raised on, so gunicorn's
#          sync worker handles it as it handles its own write's (workers/sync.py handle()).
import errno
import json
import os
import socket
import sys
import time

SLEEP_S = float(os.environ.get("SLEEP_S", "0.5"))


def log(**event):
    event["mono"] = time.monotonic()
    sys.stderr.write("APP " + json.dumps(event) + "\n")
    sys.stderr.flush()


def tcp_state(sock):
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def peer(sock):
    try:
        return sock.getpeername()[1]
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def app(environ, start_response):
    sock = environ["gunicorn.socket"]
    path = environ["PATH_INFO"]
    log(
        ev="start",
        path=path,
        remote_port=int(environ["REMOTE_PORT"]),
        tcpi_state=tcp_state(sock),
        getpeername=peer(sock),
    )
    time.sleep(SLEEP_S)
    write = start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    try:
        write(b"ok")
    except OSError as e:
        log(ev="write", path=path, errno=errno.errorcode.get(e.errno, str(e.errno)))
        raise
    log(ev="write", path=path, errno=None)
    return []
