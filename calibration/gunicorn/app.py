# The WSGI app of calibration/gunicorn/holdout23.mjs: every request sleeps SLEEP_S (2.0 s), then
# answers 200 with a 2-byte body (Content-Length set, so the client knows the answer is whole).
import os
import time

SLEEP_S = float(os.environ.get("SLEEP_S", "2.0"))


def app(environ, start_response):
    time.sleep(SLEEP_S)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
