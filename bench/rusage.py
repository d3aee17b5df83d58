#!/usr/bin/env python3
"""Run a command and write its CPU time and peak RSS as JSON to the file named first.

    python3 bench/rusage.py OUT.json -- cmd args...

getrusage(RUSAGE_CHILDREN) covers exactly the one child waited for (ru_maxrss in KiB on Linux),
whatever language the child is written in; /usr/bin/time is not installed here. The child's own
stdout and stderr pass through unchanged.
"""
import json, resource, subprocess, sys, time

out, sep, *cmd = sys.argv[1:]
assert sep == "--" and cmd, __doc__
start = time.monotonic()
code = subprocess.call(cmd)
wall = time.monotonic() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    json.dump({"exit": code, "wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mb": ru.ru_maxrss / 1024}, f)
sys.exit(code)
