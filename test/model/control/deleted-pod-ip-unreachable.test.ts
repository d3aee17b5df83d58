/**
 * kubernetes.deleted_pod_ip `unreachable`: a bridge CNI (flannel, the bridge plugin, kindnet)
 * keeps the pod subnet on the node's bridge, so a SYN to a deleted pod's released address makes
 * the node ARP for it; nobody answers, and after 3 s (net/ipv4/arp.c arp_tbl: ucast 3 + mcast 3
 * probes, retrans_time 1 s; net/core/neighbour.c neigh_timer_handler → neigh_invalidate →
 * arp_error_report) the node answers every SYN queued on the lookup with ICMP host unreachable:
 * connect() fails with EHOSTUNREACH (net/ipv4/tcp_ipv4.c tcp_v4_err, TCP_SYN_SENT). Every client
 * kind that reaches the address: open-loop requests and keep-alive clients behind kube-proxy
 * (lb.mode nat: the client's own connect), and a proxy's own connect (HAProxy: a connection error,
 * retried like a refusal, lb/gone-addresses.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';
import { deletedPodRollout } from './deleted-pod-fixture.js';

/** The shared deleted-pod rollout (deleted-pod-fixture.ts) under `deleted_pod_ip`, `lb` and `clients`. */
function rollout(deletedPodIp: 'drop' | 'unreachable', lb: object, clients: object): ScenarioInput {
  return deletedPodRollout({ clients, lb, kubernetes: { deleted_pod_ip: deletedPodIp } } as Partial<ScenarioInput>);
}

const openLoop = { requests: { rate: 200, timeout: '10s', retries: 0 } };
const nat = { mode: 'nat', retries: 0 };
/** Keep-alive clients, one request per connection: a new connect every 10 ms. */
const keepAlive = {
  http: { arrival_rate: 100, think_time: 'const(100ms)', requests_per_connection: 'const(1)', retries: 0 },
};

const lineAt = (r: RunResult, text: string): number => {
  const e = r.events.find((ev) => ev.text.includes(text));
  if (!e) throw new Error(`no line with "${text}"`);
  return e.t;
};

describe('a deleted pod’s IP under a bridge CNI: No route to host', () => {
  it('open-loop requests behind kube-proxy fail with EHOSTUNREACH within 3 s of their SYN, none time out', () => {
    const r = run(rollout('unreachable', nat, openLoop));
    const exited = lineAt(r, 'pod-a: graceful shutdown complete');
    expect(lineAt(r, 'pod pod-a: containers exited')).toBeCloseTo(exited, 6);
    expect(r.events.some((e) => e.text.includes('fail after 3 s (No route to host)'))).toBe(true);
    // ~half of 200/s for the ~3.9 s from the exit to the removal (34 s).
    const unreachable = r.figures['err_ehostunreach.total'] ?? 0;
    expect(unreachable).toBeGreaterThan(250);
    expect(unreachable).toBeLessThan(500);
    expect(r.figures['err_client_timeout.total'] ?? 0).toBe(0);
    // The first SYN starts a 3-s lookup; later ones join it and fail with it, the next starts another:
    // failures come in batches from exit + 3 s, the last by 34 + 3 s (and its round trip).
    expect(between(r, 'err_ehostunreach', 0, exited + 2.9)).toBe(0);
    expect(between(r, 'err_ehostunreach', 37.1, 60)).toBe(0);
  });

  it('with `drop` (the default) they time out instead (unchanged)', () => {
    const r = run(rollout('drop', nat, openLoop));
    expect(r.figures['err_ehostunreach.total'] ?? 0).toBe(0);
    expect(r.figures['err_client_timeout.total']).toBeGreaterThan(250);
  });

  it('keep-alive clients’ new connections behind kube-proxy fail so too', () => {
    const r = run(rollout('unreachable', nat, keepAlive));
    expect(r.figures['err_ehostunreach.total']).toBeGreaterThan(50);
    expect(r.figures['err_client_timeout.total'] ?? 0).toBe(0);
  });

  it('an L7 proxy’s own connect gets it after the lookup’s 3 s and retries, sooner than its connect timeout', () => {
    const l7 = { mode: 'l7', retries: 3, redispatch: false };
    const r = run(rollout('unreachable', l7, openLoop));
    // The client never sees the errno: HAProxy retries the connection error (STRM_ET_CONN_ERR).
    expect(r.figures['err_ehostunreach.total'] ?? 0).toBe(0);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    expect((r.figures['attempts.total'] ?? 0) - (r.figures['offered.total'] ?? 0)).toBeGreaterThan(250);
    // Answered after the failed try's ≤ 3 s (and the retry), where `drop` waits timeout connect (5 s).
    expect(r.figures['open_loop_latency.max']).toBeGreaterThan(3);
    expect(r.figures['open_loop_latency.max']).toBeLessThan(4.5);
    const dropped = run(rollout('drop', l7, openLoop));
    expect(dropped.figures['open_loop_latency.max']).toBeGreaterThan(5);
  });

  it('an L4 proxy with no retry left closes the client (EOF) after the lookup fails', () => {
    const l4 = { mode: 'l4', retries: 0 };
    // Open-loop requests (lb/l7-dispatch.ts): EOF, "socket hang up".
    const r = run(rollout('unreachable', l4, openLoop));
    expect(r.figures['err_econnreset.total']).toBeGreaterThan(250);
    expect(r.figures['err_client_timeout.total'] ?? 0).toBe(0);
    // Keep-alive clients' connections (lb/l4-connect.ts): the same, logged with its cause.
    const k = run(rollout('unreachable', l4, keepAlive));
    const failed = recordsOf(k, 'lb.connect_failed');
    expect(failed.some((f) => f.cause === 'unreachable')).toBe(true);
    // Before the exit the pod's nginx, QUIT at the SIGTERM, refuses them (its listener closed): EOF too.
    const exited = lineAt(k, 'pod-a: graceful shutdown complete');
    const why = (f: (typeof failed)[number]): boolean =>
      f.cause === 'unreachable' || (f.cause === 'refused' && f.t <= exited + 1e-9);
    expect(failed.every((f) => why(f) && f.clientSees === 'EOF')).toBe(true);
    expect(k.figures['err_econnreset.total']).toBeGreaterThan(50);
    expect(k.figures['err_client_timeout.total'] ?? 0).toBe(0);
  });
});
