import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import type { CliIO } from './context.js';

/** cli-progress (CommonJS) is required only when a bar is drawn: runs off a terminal (scripts,
 *  CI, the bench) do not pay for loading it. */
const loadCliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;

export interface Progress {
  update: (fraction: number) => void;
  stop: () => void;
}

/** A progress bar on a TTY (on stderr, so stdout stays clean for --format json); nothing otherwise. */
export function progressReporter(io: CliIO, label: string): Progress {
  const stderrTTY = (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (!io.isTTY || !stderrTTY) return { update: () => {}, stop: () => {} };
  const cliProgress = loadCliProgress();
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | ETA {eta}s`,
      stream: io.stderr as NodeJS.WriteStream,
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0);
  return {
    update: (fraction) => bar.update(Math.round(fraction * 100)),
    stop: () => bar.stop(),
  };
}
