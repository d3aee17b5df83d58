/**
 * The `--set path=value` option shared by every command that loads a scenario. Repeatable; a plain
 * string option (not yargs' greedy `array`) so `--set a=1 scenario.yaml` keeps the positional.
 */
import type { Options } from 'yargs';

export const setOption = {
  type: 'string',
  nargs: 1,
  describe: 'Override a scenario value after extends, e.g. backends.vm-a.weight=3 (repeatable)',
  coerce: (value: string | string[]): string[] => ([] as string[]).concat(value),
} satisfies Options;
