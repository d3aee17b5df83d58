/** Runs the CLI in-process and keeps what it wrote. */
import { Writable } from 'node:stream';
import type { CliIO } from '../../sim/cli/context.js';
import { main } from '../../sim/cli/main.js';

class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export function captureIO(): { io: CliIO; output: () => { stdout: string; stderr: string } } {
  const stdout = new TextSink();
  const stderr = new TextSink();
  return { io: { stdout, stderr, isTTY: false }, output: () => ({ stdout: stdout.text, stderr: stderr.text }) };
}

export async function runCli(...argv: string[]): Promise<Captured> {
  const { io, output } = captureIO();
  const code = await main(argv, io);
  return { code, ...output() };
}

/** stderr without the scenario warnings (`warning: file:line: path: …`), which never fail a command. */
export function withoutWarnings(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !l.startsWith('warning: '))
    .join('\n');
}
