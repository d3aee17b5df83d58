/**
 * Settings only a proxy's own process has are scenario errors on a NAT (lb.mode nat: IPVS,
 * kube-proxy, NLB forward packets and keep a flow table), and HTTP-status retries are errors on an
 * l4 proxy (HAProxy mode tcp never reads a response): each names its key and the mode it needs,
 * and the same setting passes where HAProxy has it.
 */
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

function issueAt(input: unknown, path: string): string | undefined {
  const res = ScenarioSchema.safeParse(input);
  if (res.success) return undefined;
  return res.error.issues.find((i) => i.path.join('.') === path)?.message;
}

describe('proxy-only settings', () => {
  it('slowstart on a NAT is an error at lb.slowstart; l4 and l7 take it', () => {
    expect(issueAt({ lb: { mode: 'nat', slowstart: '30s' } }, 'lb.slowstart')).toMatch(
      /^needs a proxy \(lb.mode: l4 or l7\)/,
    );
    for (const mode of ['l4', 'l7'])
      expect(ScenarioSchema.safeParse({ lb: { mode, slowstart: '30s' } }).success).toBe(true);
    expect(ScenarioSchema.safeParse({ lb: { mode: 'nat' } }).success).toBe(true);
  });

  it('on_marked_down: shutdown-sessions on a NAT is an error at health_check.on_marked_down', () => {
    const hc = { health_check: { on_marked_down: 'shutdown-sessions' } };
    expect(issueAt({ lb: { mode: 'nat' }, ...hc }, 'health_check.on_marked_down')).toMatch(
      /^shutdown-sessions needs a proxy/,
    );
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l4' }, ...hc }).success).toBe(true);
  });

  it('a shutdown_sessions action on a NAT is an error at its timeline entry', () => {
    const timeline = [{ at: '10s', do: 'shutdown_sessions', backend: 'vm-a' }];
    expect(issueAt({ lb: { mode: 'nat' }, timeline }, 'timeline.0.do')).toMatch(/^shutdown_sessions needs a proxy/);
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l7' }, timeline }).success).toBe(true);
  });

  it('retry_on_5xx on an l4 proxy is an error at lb.retry_on_5xx; l7 takes it', () => {
    expect(issueAt({ lb: { mode: 'l4', retry_on_5xx: true } }, 'lb.retry_on_5xx')).toMatch(/^needs lb.mode: l7/);
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l7', retry_on_5xx: true } }).success).toBe(true);
  });
});
