import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HostSockets } from '../../sim/net/host-sockets.js';
import { ipv4, LINUX_DEFAULTS } from '../../sim/net/kernel-config.js';
import { TcpInput, TcpState, transition } from '../../sim/net/tcp.js';
import { testRng } from './kernel-test-rng.js';

/**
 * calibration/data/kernel-tw-rst-rt.json (Linux 6.18, loopback in a fresh namespace): what an RST
 * does to the end that closed first. The model's figures come from its rules (net/tcp.ts,
 * HostSockets.resetTimeWait: tcp_timewait_state_process()), nothing fitted to the recording.
 */
interface Step {
  readonly step: string;
  readonly ss: Record<string, number>;
  readonly sockstatTw: number;
  readonly rsts?: number;
}
const data = JSON.parse(readFileSync('calibration/data/kernel-tw-rst-rt.json', 'utf8')) as {
  readonly n: number;
  readonly sysctls: Record<string, string>;
  readonly steps: readonly Step[];
};
const step = (prefix: string): Step => data.steps.find((s) => s.step.startsWith(prefix))!;
const LO = ipv4('127.0.0.1');
const PORT = 5634;

/** A's side as the model holds it: data.n accepted sockets from ports 40000…, each closed first into TIME_WAIT. */
function timeWaits(rfc1337: boolean): { host: HostSockets; pair: number; ports: number[] } {
  const host = new HostSockets({ ...LINUX_DEFAULTS, rfc1337 }, testRng(34));
  const pair = host.acceptPair(LO, PORT, LO);
  const ports = Array.from({ length: data.n }, (_, i) => 40000 + i);
  for (const p of ports) expect(host.acceptSyn(pair, p, 0, 0)).toBe('new');
  for (const p of ports) host.close(pair, p, 0.01, true);
  return { host, pair, ports };
}

describe('an RST reaching the end that closed first (recorded: kernel-tw-rst-rt)', () => {
  it('the recording ran with the defaults the model takes (tcp_rfc1337 0, tcp_fin_timeout 60)', () => {
    expect(data.sysctls.tcp_rfc1337).toBe(LINUX_DEFAULTS.rfc1337 ? '1' : '0');
    expect(Number(data.sysctls.tcp_fin_timeout)).toBe(60);
  });

  it('the peer aborting after a FIN (RST in FIN_WAIT2) leaves no TIME_WAIT, as recorded', () => {
    const closer = transition(transition(TcpState.ESTABLISHED, TcpInput.CLOSE).next, TcpInput.RCV_FIN_ACK).next;
    expect(closer).toBe(TcpState.FIN_WAIT_2);
    expect(step('A closed first').ss['FIN-WAIT-2']).toBe(data.n);
    expect(transition(closer, TcpInput.RCV_RST).next).toBe(TcpState.CLOSED);
    expect(step('B aborted').sockstatTw).toBe(0);
    expect(step('B aborted').ss['TIME-WAIT'] ?? 0).toBe(0);
  });

  it('an in-window RST kills a TIME_WAIT with tcp_rfc1337 0 and spares it with 1, counts as recorded', () => {
    expect(transition(TcpState.TIME_WAIT, TcpInput.RCV_RST).next).toBe(TcpState.CLOSED);
    const held = step('B closed too').ss['TIME-WAIT'];
    const killing = step('in-window RST, tcp_rfc1337 0');
    const sparing = step('in-window RST, tcp_rfc1337 1');
    const a = timeWaits(false);
    expect(a.host.timeWaitCount).toBe(held);
    let killed = 0;
    for (const p of a.ports.slice(0, killing.rsts)) if (a.host.resetTimeWait(a.pair, p, 1)) killed++;
    expect(killed).toBe(killing.rsts);
    expect(a.host.timeWaitCount).toBe(killing.ss['TIME-WAIT']);
    expect(a.host.stateOf(a.pair, a.ports[0], 1)).toBe('none');
    // tcp_rfc1337 1: the recording's 30 TIME_WAITs stay 30 after 10 more in-window RSTs.
    const b = timeWaits(true);
    for (const p of b.ports.slice(0, killing.rsts)) b.host.resetTimeWait(b.pair, p, 1);
    expect(b.host.timeWaitCount).toBe(held);
    expect(b.host.timeWaitCount - killing.rsts!).toBe(sparing.ss['TIME-WAIT']);
  });

  it('where it matters: the killed TIME_WAIT frees a connecting port at once, rfc1337 1 holds it 60 s more', () => {
    // Ten ports, each in TIME_WAIT towards the peer (no tcp_tw_reuse: a remote address).
    const range = { portLow: 40000, portHigh: 40009, twReuse: 0 as const };
    for (const rfc1337 of [false, true]) {
      const host = new HostSockets({ ...LINUX_DEFAULTS, ...range, rfc1337 }, testRng(35));
      const pair = host.connectPair(ipv4('10.0.0.2'), ipv4('10.0.0.1'), 80);
      const ports: number[] = [];
      for (let k = 0; k < 10; k++) ports.push(host.connect(pair, 0));
      for (const p of ports) host.close(pair, p, 0.5, true);
      expect(host.connect(pair, 1)).toBe(-1); // EADDRNOTAVAIL: every port in TIME_WAIT
      expect(host.resetTimeWait(pair, ports[3], 10)).toBe(!rfc1337);
      if (!rfc1337) expect(host.connect(pair, 10)).toBe(ports[3]);
      else {
        expect(host.connect(pair, 10)).toBe(-1);
        // Its timer restarted at the RST: the other nine expire about 60.5 s in, it not before 70 s.
        expect(host.stateOf(pair, ports[3], 65)).toBe('time-wait');
        expect(host.stateOf(pair, ports[4], 65)).toBe('none');
        expect(host.stateOf(pair, ports[3], 72.1)).toBe('none');
      }
    }
  });
});
