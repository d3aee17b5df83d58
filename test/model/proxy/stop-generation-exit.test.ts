/**
 * `nginx -s stop` (timeline nginx_stop) of a generation that was never QUIT: its exit line says it
 * went with the fast stop, not "exited 0s after its QUIT" (review40 #3); one QUIT before the stop
 * keeps the QUIT's reading.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function stopAt(timeline: unknown[]): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    clients: { http: { arrival_rate: 5, requests_per_connection: 'const(5)', think_time: 'const(1s)' } },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline,
  } as ScenarioInput;
}

describe('a generation ended by nginx -s stop', () => {
  it('never QUIT: "exited with the fast stop", no QUIT in its line', () => {
    const r = run(stopAt([{ at: '10s', do: 'nginx_stop', backend: 'vm-a' }]));
    const exits = recordsOf(r, 'nginx.generation_exit').filter((x) => x.backend === 'vm-a');
    expect(exits).toHaveLength(1);
    expect(exits[0].stopped).toBe(true);
    const line = r.events.find((e) => e.record.kind === 'nginx.generation_exit')!.text;
    expect(line).toContain('exited with the fast stop');
    expect(line).not.toContain('after its QUIT');
  });

  it('QUIT first, then the stop: the QUIT reading stays', () => {
    const r = run(
      stopAt([
        { at: '10s', do: 'nginx_quit', backend: 'vm-a' },
        { at: '10.5s', do: 'nginx_stop', backend: 'vm-a' },
      ]),
    );
    for (const x of recordsOf(r, 'nginx.generation_exit')) expect(x.stopped).toBeUndefined();
  });
});
