import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../sim/cli/main.js';
import { type Captured, captureIO, runCli } from './capture.js';

/** The narration with its wrapping undone, so a note can be matched as one sentence. */
function unwrapped(text: string): string {
  return text.replace(/\n {8}(?=\S)/g, ' ');
}

describe('drainsim explain hard-cut', () => {
  let run: Captured;
  let prose: string;
  beforeAll(async () => {
    run = await runCli('explain', 'hard-cut');
    prose = unwrapped(run.stdout);
  });

  it('exits 0 and writes only to stdout', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('drainsim explain · hard-cut · seed 1');
  });

  it('walks the phases the timeline makes', () => {
    const headings = run.stdout.split('\n').filter((l) => l.startsWith('──'));
    expect(headings).toEqual([
      '── Before any action · 14:00:00 → 14:02:00 ──',
      '── 14:02:00 · remove vm-c, terminate vm-c (kill) · until 14:02:30 ──',
      expect.stringMatching(/^── 14:02:30 · terminate vm-c \(vanish\) · until 14:0\d:\d\d ──$/),
    ]);
  });

  it('says why the removal resets ~1800 flows, with the number from the run', () => {
    expect(run.stdout).toContain(
      '  14:02:00.000 [lb] backend vm-c removed from pool abruptly\n      → vm-c left the pool without drain',
    );
    const m =
      /vm-c left the pool without drain: its ([\d,]+) established flows \(active_conn\) have no path any more; the LB answers their next packets with RST\./.exec(
        prose,
      );
    expect(m).not.toBeNull();
    const flows = Number(m![1]!.replace(/,/g, ''));
    expect(flows).toBeGreaterThan(1600);
    expect(flows).toBeLessThan(2000);
  });

  it('explains the kill, the nginx 104 lines, the reset summary and the vanished host', () => {
    expect(prose).toMatch(/kill -9: no shutdown hook, no Close frames, no draining\./);
    expect(prose).toMatch(
      /\[nginx\] vm-c: recv\(\) failed \(104: Connection reset by peer\) while reading client request line\n {6}→ The LB forgot this vm-c flow/,
    );
    expect(prose).toMatch(
      /The client sees ECONNRESET and retries on a new connection \(up to 2 retries, full_jitter backoff from 200ms capped at 2s\)/,
    );
    expect(prose).toMatch(
      /Ten seconds after the cut, RSTs peaked at [\d,]+\/s and [\d,]+ of the [\d,]+ forgotten flows are gone\./,
    );
    expect(prose).toMatch(/The VM is gone: nothing answers, not even with RST\./);
  });

  it('folds the hundreds of 104 lines into one with a count', () => {
    const m =
      /while reading client request line\n[^…]*… ([\d,]+) more like this until 14:02:\d\d\.\d{3} \(([\d,]+) events in all, counting the folded repeats\);\s+the last:/.exec(
        run.stdout,
      );
    expect(m).not.toBeNull();
    expect(Number(m![2]!.replace(/,/g, ''))).toBeGreaterThan(1000);
    expect(
      run.stdout.match(/recv\(\) failed \(104: Connection reset by peer\) while reading client request line/g)!.length,
    ).toBeLessThanOrEqual(4);
  });

  it("sums each phase's resets and errors", () => {
    const cut =
      /── 14:02:00[^]*?In this phase: ([\d,]+) RSTs to clients \(peak ([\d,]+)\/s\) · ([\d,]+) client errors \(ECONNRESET/.exec(
        prose,
      );
    expect(cut).not.toBeNull();
    expect(Number(cut![1]!.replace(/,/g, ''))).toBeGreaterThan(1000);
    expect(Number(cut![2]!.replace(/,/g, ''))).toBeGreaterThan(100);
    expect(prose).toMatch(/── Before any action[^]*?In this phase: no resets and no client errors/);
  });
});

describe('drainsim explain options', () => {
  const saved = process.env.NO_COLOR;
  afterEach(() => {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  });

  it('takes --seed and --set like run, and colours a terminal unless NO_COLOR is set', async () => {
    delete process.env.NO_COLOR;
    const { io, output } = captureIO();
    const code = await main(['explain', 'hard-cut', '--seed', '7', '--set', 'horizon=2m30s'], { ...io, isTTY: true });
    const { stdout } = output();
    expect(code).toBe(0);
    expect(stdout).toContain('\u001b[1mdrainsim explain · hard-cut · seed 7');
    expect(stdout).toContain('Recorded from 14:00:00 to 14:02:30 (2m 30s)');

    process.env.NO_COLOR = '1';
    const plain = captureIO();
    await main(['explain', 'hard-cut', '--set', 'horizon=2m10s'], { ...plain.io, isTTY: true });
    expect(plain.output().stdout).not.toContain('\u001b[');
  });

  it('exits 2 on an unknown scenario, naming it', async () => {
    const { code, stdout, stderr } = await runCli('explain', 'hard-cutt');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('hard-cutt');
  });
});
