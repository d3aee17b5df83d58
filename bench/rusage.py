#!/usr/bin/env python3
"""Run a command and write its CPU time and peak RSS as JSON to the file named first.

    python3 bench/rusage.py OUT.json -- cmd args...

getrusage(RUSAGE_CHILDREN), less what it held before the call, covers exactly the one child
waited for (ru_maxrss in KiB on Linux),
whatever language the child is written in; /usr/bin/time is not installed here. The child's own
stdout and stderr pass through unchanged.
"""
import json, resource, subprocess, sys, time

out, sep, *cmd = sys.argv[1:]
assert sep == "--" and cmd, __doc__
# Children's times are kept across exec: when python3 is a launcher script (pyenv's shim is bash,
# which runs `pyenv` commands, then execs python) its children's ~0.06 s of CPU are already counted
# here before the command starts. Only what the command adds is its time. (ru_maxrss is a maximum
# over the same children and cannot be separated; the launcher's stay below ~14 MB.)
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.monotonic()
code = subprocess.call(cmd)
wall = time.monotonic() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (ru.ru_utime + ru.ru_stime) - (before.ru_utime + before.ru_stime)
with open(out, "w") as f:
    json.dump({"exit": code, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": ru.ru_maxrss / 1024}, f)
sys.exit(code)
