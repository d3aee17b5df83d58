/**
 * A scratch file that a timeline's blocks of rows are moved to once the run has kept enough in
 * memory (column-store.ts). Appended while the run samples, read back by offset afterwards.
 *
 * The file is the caller's: it lives in a scratch folder the command line makes beside the output
 * folder (reports/write-atomic.ts `scratchDirFor`) and removes with it. It is created at the first
 * append, so a run that never passes the bound makes no file and no folder.
 *
 * With `unlinked` given, the file's name is removed as soon as it is open and the caller is told
 * (it removes its folder then): on POSIX an open file lives on without a name until its last
 * descriptor closes (unlink(2)), so a run interrupted by SIGINT or killed — a synchronous run
 * cannot take a signal listener's turn — leaves no scratch folder beside `--out`. The descriptor
 * then serves the reads too and closes when the SpillFile is collected or the process exits.
 * Where an open file cannot be unlinked (Windows: EPERM/EBUSY) it keeps its name, as without.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';

/** Closes the descriptor of an unlinked spill file once nothing reads it (its reader is collected). */
const descriptors = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Already closed at exit: nothing to give back.
  }
});

export class SpillFile {
  /** Open for appending while the run samples; closed at the end of sampling. */
  private fd: number | null = null;
  private closed = false;
  private size = 0;
  private created: string | null = null;
  /** The name is gone (unlinked after open): every read goes through `fd`, which is never closed here. */
  private nameless = false;

  /**
   * `pathOf`: where to create the file (which must not exist), asked at the first append.
   * `unlinked`: remove the file's name once it is open, then call this (see the file comment).
   */
  constructor(
    private readonly pathOf: () => string,
    private readonly unlinked?: () => void,
  ) {}

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
      if (this.unlinked !== undefined) this.dropName(this.fd, this.unlinked);
    }
    const at = this.size;
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, at + done);
    this.size += bytes.length;
    return at;
  }

  /** No more appends: the descriptor goes (reads open the file for their own read), unless the name is gone. */
  close(): void {
    if (this.fd !== null && !this.nameless) {
      closeSync(this.fd);
      this.fd = null;
    }
    this.closed = true;
  }

  private dropName(fd: number, unlinked: () => void): void {
    try {
      unlinkSync(this.created!);
    } catch {
      return; // an open file that cannot lose its name (Windows): it keeps it, and the folder stays
    }
    this.nameless = true;
    descriptors.register(this, fd);
    unlinked();
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
