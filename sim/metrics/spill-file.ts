/**
 * A scratch file that a timeline's blocks of rows are moved to once the run has kept enough in
 * memory (column-store.ts). Appended while the run samples, read back by offset afterwards.
 *
 * The file is the caller's: it lives in a scratch folder the command line makes beside the output
 * folder (reports/write-atomic.ts `scratchDirFor`) and removes with it. It is created at the first
 * append, so a run that never passes the bound makes no file and no folder.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export class SpillFile {
  /** Open for appending while the run samples; closed at the end of sampling. */
  private fd: number | null = null;
  private closed = false;
  private size = 0;
  private created: string | null = null;

  /** `pathOf`: where to create the file (which must not exist), asked at the first append. */
  constructor(private readonly pathOf: () => string) {}

  /** The file's path; null until the first append. */
  get path(): string | null {
    return this.created;
  }

  /** Appends `bytes`; returns the offset they start at. */
  append(bytes: Uint8Array): number {
    if (this.closed) throw new Error(`spill file ${this.created} appended to after it was closed`);
    if (this.fd === null) {
      this.created = this.pathOf();
      this.fd = openSync(this.created, 'wx+');
    }
    const at = this.size;
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, at + done);
    this.size += bytes.length;
    return at;
  }

  /** No more appends: the descriptor goes (reads open the file for their own read). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.closed = true;
  }

  /** Fills `into` with the bytes at `offset`. */
  read(offset: number, into: Uint8Array): void {
    if (this.created === null) throw new Error('spill file read before anything was appended');
    const fd = this.fd ?? openSync(this.created, 'r');
    try {
      let done = 0;
      while (done < into.length) {
        const n = readSync(fd, into, done, into.length - done, offset + done);
        if (n === 0) throw new Error(`spill file ${this.path} ends before offset ${offset + done}`);
        done += n;
      }
    } finally {
      if (fd !== this.fd) closeSync(fd);
    }
  }
}
