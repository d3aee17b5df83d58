# What the kernel recorders tw-rst.py and tw-overflow-finwait2.py read (imported from the script's
# own folder): a command's output, the TcpExt counters of /proc/net/netstat, the TCP line of
# /proc/net/sockstat and the socket states `ss` lists.
import subprocess


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def netstat(keys):
    """The TcpExt counters `keys` (None for one this kernel does not have)."""
    t = open('/proc/net/netstat').read().split('\n')
    for i in range(0, len(t) - 1, 2):
        if t[i].startswith('TcpExt:'):
            d = dict(zip(t[i].split()[1:], map(int, t[i + 1].split()[1:])))
            return {k: d.get(k) for k in keys}


def sockstat():
    """/proc/net/sockstat's TCP line: {'inuse': …, 'orphan': …, 'tw': …, 'alloc': …, 'mem': …}."""
    for line in open('/proc/net/sockstat'):
        if line.startswith('TCP:'):
            f = line.split()
            return {f[i]: int(f[i + 1]) for i in range(1, len(f) - 1, 2)}


def states(port_filter, skip=()):
    """How many sockets `ss` lists in each state under `port_filter`, states in `skip` left out."""
    counts = {}
    for line in sh('ss', '-tanH', port_filter).splitlines():
        s = line.split()[0]
        if s not in skip:
            counts[s] = counts.get(s, 0) + 1
    return counts
