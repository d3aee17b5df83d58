/** nginx reload vs quit with WebSockets, and the keepalive race behind an L7 balancer (issue 13). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runBuiltin, valueAt } from '../model/helpers.js';

describe('nginx-reload-ws / nginx-reload-ws-fixed', () => {
  let piled: RunResult;
  let fixed: RunResult;
  beforeAll(() => {
    piled = runBuiltin('nginx-reload-ws');
    fixed = runBuiltin('nginx-reload-ws-fixed');
  });

  it('each reload adds an old generation that keeps its WebSocket tunnels: 10 reloads, 10 old generations per VM', () => {
    expect(piled.figures['vm-a.nginx_old_generations.max']).toBe(10);
    expect(piled.figures['vm-a.nginx_old_generations.final']).toBe(10);
    expect(piled.figures['ws_close_1006.total']).toBe(0);
    // No generation exits: each still holds tunnels of sessions with an 8 h median lifetime.
    expect(piled.events.filter((l) => /worker generation \d+ exited/.test(l.text))).toHaveLength(0);
    expect(
      piled.events.some(
        (l) =>
          l.source === 'nginx' &&
          /generation 11 joins the listening socket, older ones get QUIT 100 ms later \(9 still shutting down\)/.test(
            l.text,
          ),
      ),
    ).toBe(true);
  });

  it('worker_shutdown_timeout 2m: at most one old generation, each exits at QUIT + 2 min, its tunnels closed (1006) and reconnected with jitter', () => {
    expect(fixed.figures['vm-a.nginx_old_generations.max']).toBe(1);
    expect(fixed.figures['nginx_old_generations.final']).toBe(0);
    const exits = fixed.events.filter(
      (l) =>
        l.source === 'nginx' &&
        /vm-a: worker generation \d+ exited 2m 100ms after its QUIT \(worker_shutdown_timeout\)|vm-a: worker generation \d+ exited 2m after its QUIT \(worker_shutdown_timeout\)/.test(
          l.text,
        ),
    );
    expect(exits.length).toBe(10);
    expect(fixed.figures['ws_close_1006.total']!).toBeGreaterThan(1000);
    // Full jitter over 30 s spreads ~1,100 reconnects per VM per reload.
    expect(fixed.figures['reconnects.peak_per_s']!).toBeLessThan(300);
  });

  it("memory piles up with the old generations (their workers and tunnels' buffers) and not with worker_shutdown_timeout", () => {
    const worker = 3.8; // worker_rss_mib's default
    // Piled: 11 generations' workers on vm-a, 10 of them old, every tunnel's buffers still held.
    expect(piled.figures['vm-a.nginx_memory_old.final']!).toBeGreaterThan(10 * worker);
    expect(piled.figures['vm-a.nginx_memory.final']!).toBeGreaterThan(11 * worker);
    // It grows with every reload: sampled 2 min after each of the 10:05 … 10:50 reloads.
    const old = [5, 10, 15, 20, 25, 30, 35, 40, 45, 50].map((m) =>
      valueAt(piled, 'nginx_memory_old', (m + 2) * 60, 'vm-a'),
    );
    for (let i = 1; i < old.length; i++) expect(old[i]).toBeGreaterThan(old[i - 1] + worker);
    // Fixed: the old generation's memory is freed with it; at most two generations' workers at once.
    expect(fixed.figures['vm-a.nginx_memory_old.final']).toBe(0);
    expect(fixed.figures['vm-a.nginx_memory.max']!).toBeLessThan(piled.figures['vm-a.nginx_memory.final']! / 2);
  });
});

describe('keepalive-race / keepalive-race-fixed', () => {
  let race: RunResult;
  let fixed: RunResult;
  beforeAll(() => {
    race = runBuiltin('keepalive-race');
    fixed = runBuiltin('keepalive-race-fixed');
  });

  it("balancer idle timeout 60 s ≥ nginx keepalive_timeout 5 s: requests cross nginx's close and meet its RST (an L7 balancer answers 502)", () => {
    const r = race;
    expect(r.figures['err_econnreset.total']!).toBeGreaterThan(40);
    // The window is one round trip (1 ms) of think time out of exp(mean=3s): about
    // requests × e^(-5/3)/3 × 0.001 ≈ 6e-5 of the requests.
    const expected = r.figures['requests.total']! * (Math.exp(-5 / 3) / 3) * 0.001;
    expect(r.figures['err_econnreset.total']!).toBeGreaterThan(expected * 0.6);
    expect(r.figures['err_econnreset.total']!).toBeLessThan(expected * 1.5);
    expect(r.events.some((l) => l.record.kind === 'client.keepalive_race')).toBe(true);
  });

  it('balancer idle timeout 4 s < nginx 5 s: the balancer always closes first, no reset', () => {
    expect(fixed.figures['err_econnreset.total']).toBe(0);
    expect(fixed.figures['errors.total']).toBe(0);
  });
});
