# The WSGI app of calibration/gunicorn/holdout30.mjs (held-out round 30): a request for /slow sleeps
# 5 s, any other (/fast) 1 s, then answers 200 with a 2-byte body (Content-Length set, so the client
# knows the answer is whole).
import time


def app(environ, start_response):
    time.sleep(5.0 if environ.get("PATH_INFO") == "/slow" else 1.0)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
