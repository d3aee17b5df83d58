# What the two stale-tuple recorders (stale-tuple.py, stale-tuple-lb.py) share, imported from the
# script's own folder: two network namespaces joined by a veth pair, entering one, a namespace's
# TcpExt counters, taking one end's link down and up, and the TCP segments an AF_PACKET socket
# on the far veth saw.
import ctypes, os, socket, struct, subprocess, time

from procnet import sh

libc = ctypes.CDLL('libc.so.6', use_errno=True)
CLONE_NEWNET = 0x40000000
HOME_NS = os.open('/proc/self/ns/net', os.O_RDONLY)


def make_pair(near, near_dev, near_ip, far, far_dev, far_ip):
    """Namespaces `near` and `far` (made afresh), a veth pair between them, addresses /24, links up."""
    for ns in (near, far):
        subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
        sh('ip', 'netns', 'add', ns)
    sh('ip', '-n', near, 'link', 'add', near_dev, 'type', 'veth', 'peer', 'name', far_dev, 'netns', far)
    sh('ip', '-n', near, 'addr', 'add', near_ip + '/24', 'dev', near_dev)
    sh('ip', '-n', far, 'addr', 'add', far_ip + '/24', 'dev', far_dev)
    for ns, dev in ((near, near_dev), (far, far_dev)):
        sh('ip', '-n', ns, 'link', 'set', 'lo', 'up')
        sh('ip', '-n', ns, 'link', 'set', dev, 'up')


def enter(ns):
    """This thread's network namespace becomes `ns` (None: the one the script started in)."""
    fd = os.open(f'/run/netns/{ns}', os.O_RDONLY) if ns else HOME_NS
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'setns')
    if ns:
        os.close(fd)


def netstat_in(ns, keys):
    """The TcpExt counters `keys` of namespace `ns` (None for one this kernel does not have)."""
    out = sh('ip', 'netns', 'exec', ns, 'cat', '/proc/net/netstat').split('\n')
    for i in range(0, len(out) - 1, 2):
        if out[i].startswith('TcpExt:'):
            d = dict(zip(out[i].split()[1:], map(int, out[i + 1].split()[1:])))
            return {k: d.get(k) for k in keys}


def link(ns, dev, state, far_ip):
    """`dev` in `ns` up or down; up, wait (≤ 1 s) until its route towards `far_ip`'s /24 is back."""
    sh('ip', '-n', ns, 'link', 'set', dev, state)
    if state == 'up':
        for _ in range(100):
            if far_ip.rsplit('.', 1)[0] in sh('ip', '-n', ns, 'route'):
                return
            time.sleep(0.01)


def segments(sniff, port, t0, to_port, from_port):
    """TCP segments `sniff` saw since the last call: ms since `t0` (when read), sender, flags. The
    sender is `to_port` for a segment sent to `port`, else `from_port`."""
    out = []
    try:
        while True:
            pkt, _ = sniff.recvfrom(65535)
            if pkt[12:14] != b'\x08\x00' or pkt[23] != socket.IPPROTO_TCP:
                continue
            ip = pkt[14:]
            ihl = (ip[0] & 15) * 4
            _, dport = struct.unpack('!HH', ip[ihl:ihl + 4])
            f = ip[ihl + 13]
            flags = ''.join(n for b, n in [(2, 'S'), (16, '.'), (4, 'R'), (1, 'F'), (8, 'P')] if f & b)
            out.append({'t': round((time.monotonic() - t0) * 1000, 1), 'from': to_port if dport == port else from_port, 'flags': flags})
    except BlockingIOError:
        pass
    return out
