/**
 * A client flow's SYN on a 4-tuple the VM still holds open. Linux: the VM's kernel answers with a
 * challenge ACK (net/ipv4/tcp_input.c tcp_validate_incoming() → tcp_send_challenge_ack(), RFC 5961
 * §4.2), the connecting side in SYN_SENT answers RST at the stale socket's rcv_nxt
 * (tcp_rcv_synsent_state_process(): reset_and_undo), which resets it (tcp_reset(): its owner
 * reads ECONNRESET), and sends its SYN again TCP_TIMEOUT_MIN (2 jiffies) later: it connects
 * (recorded: calibration/data/kernel-stale-tuple-rt.json). Before session 35 the flow's SYN was
 * not taken, retried after 1 s, and the stale socket stayed, so every retry met it again.
 */
import { describe, expect, it } from 'vitest';
import { ConnKind } from '../../../sim/model/core/conn.js';
import { clientAddress } from '../../../sim/model/core/kernel-hosts.js';
import type { RunResult } from '../../../sim/result.js';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { scenario, series } from '../helpers.js';

const total = (r: RunResult, name: string): number => series(r, name).reduce((a, [, v]) => a + v, 0);

const PORTS: [number, number] = [40000, 40099];

/** Clients of one request each, through an L4 NAT from one client address with 100 source ports. */
function natInput(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    clients: {
      // 80 connections, each from a port of its own (the client's TIME_WAITs keep a used one).
      http: { arrival_rate: 8, arrivals: 'paced', requests_per_connection: 'const(1)', retries: 0 },
      source_ips: 1,
      kernel: { ip_local_port_range: PORTS },
    },
    app: { workers: 64, service_time: 'const(10ms)' },
    lb: { mode: 'nat', connect_timeout: '5s' },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe("a client flow's SYN on a 4-tuple the VM still holds open", () => {
  it('through a NAT, the client ports all held open on the VM: each stale socket is reset and the SYN connects 2 jiffies later', () => {
    const model = buildModel(scenario(natInput()));
    const { world } = model;
    const vm = world.backends[0];
    // vm-a holds every 4-tuple of the client's 100 ports open: sockets of connections the client
    // machine no longer has (it vanished, its RSTs lost), which no flow of the run owns.
    for (let port = PORTS[0]; port <= PORTS[1]; port++) vm.acceptFrom(clientAddress(0), port, 0);
    startModel(model);
    world.engine.run(10);
    const { timeline, histograms } = world.metrics.result();
    const r = { timeline } as RunResult;
    const requests = total(r, 'requests');
    expect(requests).toBeGreaterThanOrEqual(75);
    // Every request is answered; no connect waited out a 1-s retransmission: the challenged SYN
    // goes again TCP_TIMEOUT_MIN (2-3 jiffies at HZ 250) after the challenge ACK's round trip and
    // connects one more round trip later, where before each one met the same stale socket every
    // second until the client's connect timer (5 s) gave up.
    expect(total(r, 'responses_2xx')).toBe(requests);
    expect(total(r, 'errors')).toBe(0);
    const rtt = world.scenario.clients.rtt;
    const max = histograms.get('connect_latency')!.summary().max;
    expect(max).toBeGreaterThan(2 * rtt);
    expect(max).toBeLessThan(2 * rtt + 0.02);
    // Each port's stale socket went at its first SYN: only the ports never used (and a connection
    // still open at the end) hold one open.
    let open = 0;
    for (let port = PORTS[0]; port <= PORTS[1]; port++)
      if (vm.host.stateOf(vm.sourcePair(clientAddress(0)), port, world.now) === 'open') open++;
    expect(open).toBeLessThanOrEqual(PORTS[1] - PORTS[0] + 1 - requests + 1);
  });

  it('resets the stale socket through its owner: the flow whose VM end it is reads ECONNRESET and ends', () => {
    const input = natInput();
    input.clients = {
      http: { arrival_rate: 0 },
      source_ips: 1,
      kernel: { ip_local_port_range: [40000, 40001] },
    } as ScenarioInput['clients'];
    const model = buildModel(scenario(input));
    const { world } = model;
    startModel(model);
    world.engine.run(1);
    const connect = () => {
      const conn = world.newConn(ConnKind.HTTP);
      conn.clientIp = 0;
      expect(world.assignTuple(conn)).toBe(true);
      return conn;
    };
    // A flow on vm-a; a second connection holds the machine's other port.
    const owner = connect();
    expect(world.attach(owner, 0)).toBe('new');
    const other = connect();
    // The owner's client machine loses its socket without a word (as the recording's client that
    // vanishes): its port is free again, the VM's end of the flow is not.
    world.releaseClientEnd(owner, false);
    const next = connect();
    expect(next.clientPort).toBe(owner.serverPort);
    expect(other.clientPort).not.toBe(next.clientPort);
    expect(world.attach(next, 0)).toBe('challenged');
    // nginx read the RST (reset_in) and the owner's flow ended; the SYN sent again is taken.
    expect(owner.backend).toBe(-1);
    expect(owner.serverHost).toBe(null);
    expect(world.attach(next, 0)).toBe('new');
    world.engine.run(3);
    expect(total({ timeline: world.metrics.result().timeline } as RunResult, 'reset_in')).toBe(1);
  });
});
