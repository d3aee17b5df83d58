import { execFileSync } from 'node:child_process';

/**
 * The harness's own source at recording time, for the stamp of every recording: the commit checked
 * out and whether the work tree had changes. A held-out round commits its twins and predictions
 * before it records, so a recording stamped with a commit that descends from the blind commit
 * (`git merge-base --is-ancestor <blind> <stamp.sourceCommit.commit>`) proves the order, where
 * git's whole-second commit dates and the recording's start time cannot (review24 #10). Null
 * outside a git work tree (a release tarball).
 */
export function sourceCommit() {
  try {
    const git = (...args) =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return null;
  }
}
