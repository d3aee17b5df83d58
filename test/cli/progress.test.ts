/** Long runs show a progress bar on a terminal and nothing otherwise. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../sim/cli/progress.js';

function sink(isTTY: boolean): Writable & { text: string; isTTY: boolean; columns: number } {
  const s = new Writable({
    write(chunk, _enc, done) {
      (s as unknown as { text: string }).text += chunk.toString();
      done();
    },
  }) as Writable & {
    text: string;
    isTTY: boolean;
    columns: number;
    cursorTo: () => boolean;
    clearLine: () => boolean;
    moveCursor: () => boolean;
  };
  s.text = '';
  s.isTTY = isTTY;
  s.columns = 100;
  s.cursorTo = () => true;
  s.clearLine = () => true;
  s.moveCursor = () => true;
  return s;
}

describe('progress bar', () => {
  it('draws on a terminal', () => {
    const stderr = sink(true);
    const p = progressReporter({ stdout: sink(true), stderr, isTTY: true }, 'run hard-cut');
    p.update(0.5);
    p.stop();
    expect(stderr.text).toContain('run hard-cut');
  });

  it('prints nothing when output is not a terminal', () => {
    const stderr = sink(false);
    const p = progressReporter({ stdout: sink(false), stderr, isTTY: false }, 'run hard-cut');
    p.update(0.5);
    p.stop();
    expect(stderr.text).toBe('');
  });
});
