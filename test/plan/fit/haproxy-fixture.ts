/** Generated HAProxy logs of known session lifetimes, for the fit tests. */
import { RandomStreams } from '../../../sim/engine/random.js';
import { parseDistribution } from '../../../sim/scenario/distribution.js';

export interface GeneratedLog {
  text: string;
  durations: number[];
}

/** httplog lines (HAProxy 2.x default) of `n` sessions drawn from `spec`, one per line. */
export function haproxyHttpLog(
  spec: string,
  n: number,
  seed: number,
  options: { logasapOver?: number } = {},
): GeneratedLog {
  const dist = parseDistribution(spec);
  const rng = new RandomStreams(seed).stream('fit.fixture');
  const lines: string[] = [];
  const durations: number[] = [];
  for (let i = 0; i < n; i++) {
    const seconds = dist.sample(rng);
    durations.push(seconds);
    const open = options.logasapOver !== undefined && seconds > options.logasapOver;
    const ms = Math.round((open ? options.logasapOver! : seconds) * 1000);
    const port = 30000 + (i % 30000);
    lines.push(
      `Dec  3 10:00:00 lb1 haproxy[1234]: 10.0.${i % 250}.7:${port} [03/Dec/2026:10:00:00.${String(i % 1000).padStart(3, '0')}] fe_ws be_ws/app${i % 12} 0/0/1/2/${open ? '+' : ''}${ms} 101 250 - - ---- 12/12/11/1/0 0/0 "GET /socket HTTP/1.1"`,
    );
  }
  return { text: `${lines.join('\n')}\n`, durations };
}
