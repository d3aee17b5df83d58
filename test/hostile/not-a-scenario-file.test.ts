/**
 * review30 #15: what a bad path or an out-of-range number is, said as it is. `validate /tmp` and
 * `validate /dev/zero` said "no such file"; `arrival_rate: 1e400` (YAML reads Infinity) said
 * "found null" (JSON's spelling of Infinity).
 */
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { cliIn, expectBadInput, sandbox } from './sandbox.js';

const box = sandbox();

describe('a command-line path that is no scenario file', () => {
  it('a folder: says so and points to check', async () => {
    expectBadInput(await cliIn(box, 'validate', box.dir), /not found: it is a folder \(drainsim check takes a folder/);
  });

  it.runIf(existsSync('/dev/zero'))('a device: says it is not a regular file', async () => {
    expectBadInput(await cliIn(box, 'validate', '/dev/zero'), /not found: it is not a regular file/);
  });

  it('a missing file: no such file', async () => {
    expectBadInput(await cliIn(box, 'validate', `${box.dir}/missing.yaml`), /not found: no such file,/);
  });
});

describe('a number too large for a double', () => {
  it('is found as Infinity, not null', async () => {
    const file = box.write(
      'huge.yaml',
      'horizon: 10s\nbackends: [{name: vm-a}]\nclients: { http: { arrival_rate: 1e400 } }\n',
    );
    expectBadInput(
      await cliIn(box, 'validate', file),
      /huge\.yaml:3:\d+: clients\.http\.arrival_rate: .*found Infinity \(a number too large for a double\)/,
    );
  });
});
