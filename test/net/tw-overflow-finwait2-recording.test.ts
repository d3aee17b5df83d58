import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HostSockets } from '../../sim/net/host-sockets.js';
import { ipv4, LINUX_DEFAULTS } from '../../sim/net/kernel-config.js';
import { testRng } from './kernel-test-rng.js';

/**
 * calibration/data/kernel-tw-overflow-finwait2-rt.json (Linux 6.18, loopback in a fresh namespace,
 * tcp_max_tw_buckets 10): 30 connecting ends close()d while their peers never close. The model's
 * figures come from HostSockets.finWait2Held (tcp_time_wait(): inet_twsk_alloc() refuses past
 * tcp_max_tw_buckets, tcp_done()), nothing fitted to the recording.
 */
interface Step {
  readonly step: string;
  readonly connectingEnds: Record<string, number>;
  readonly acceptedEnds: Record<string, number>;
  readonly sockstat: Record<string, number>;
  readonly netstat: Record<string, number>;
}
const data = JSON.parse(readFileSync('calibration/data/kernel-tw-overflow-finwait2-rt.json', 'utf8')) as {
  readonly n: number;
  readonly maxTwBuckets: number;
  readonly steps: readonly Step[];
  readonly writes: readonly { readonly finWait2Held: boolean; readonly secondWrite: string | null }[];
};
const LO = ipv4('127.0.0.1');
const PORT = 5635;

describe('a FIN_WAIT2 transition past tcp_max_tw_buckets (recorded: kernel-tw-overflow-finwait2-rt)', () => {
  it('holds tcp_max_tw_buckets FIN_WAIT2 timewait socks, closes the rest at once, counts as recorded', () => {
    const host = new HostSockets({ ...LINUX_DEFAULTS, maxTwBuckets: data.maxTwBuckets }, testRng(36));
    const connecting = host.connectPair(LO, LO, PORT);
    const accepting = host.acceptPair(LO, PORT, LO);
    const ports: number[] = [];
    for (let k = 0; k < data.n; k++) {
      const port = host.connect(connecting, 0);
      expect(host.acceptSyn(accepting, port, 0, 0)).toBe('new');
      ports.push(port);
    }
    const held = ports.map((port) => host.finWait2Held(connecting, port, 0.1));
    const after = data.steps.find((s) => s.step.startsWith('A closed'))!;
    expect(held.filter((h) => h).length).toBe(after.connectingEnds['FIN-WAIT-2']);
    expect(host.finWait2Count + host.timeWaitCount).toBe(after.sockstat.tw);
    expect(host.timeWaitOverflows).toBe(after.netstat.TCPTimeWaitOverflow);
    // In use: the accepted ends (CLOSE_WAIT), the connecting ends refused a timewait sock are gone.
    expect(host.openCount).toBe(after.acceptedEnds['CLOSE-WAIT']);
    expect(host.socketsOf(connecting, 0.1)).toBe(after.connectingEnds['FIN-WAIT-2']);
    // Their ports are free again: the next connect() may take one (the recording's late answers
    // are reset either way: EPIPE on all 30 second writes).
    expect(host.stateOf(connecting, ports[held.indexOf(false)], 0.1)).toBe('none');
    expect(host.stateOf(connecting, ports[held.indexOf(true)], 0.1)).toBe('open');
    expect(data.writes.filter((w) => w.secondWrite === 'EPIPE').length).toBe(data.n);
  });
});
