# One-worker blocking server for the accept-queue experiments (kernel-holdout-backlog-*), run
# inside the namespace: listen(backlog), then one connection at a time — accept(), read the
# client's byte, sleep service_ms (the request's service time), answer one byte and close (the
# server sends the first FIN). While it serves, the kernel holds the next connections in the
# accept queue: min(backlog, somaxconn) + 1 of them (sk_acceptq_is_full), and drops SYNs beyond
# (tcp_conn_request: ListenOverflows), which the client retransmits.
#   python3 blocking-server.py <port> <backlog> <service_ms>
import socket
import sys
import time

port, backlog, service_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(backlog)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    try:
        c.recv(1)
        time.sleep(service_ms / 1000)
        c.send(b"y")
    except OSError:
        pass
    c.close()
