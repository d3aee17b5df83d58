/**
 * yargs renders the whole help text of a command every time that command runs: after calling
 * the handler, `handleValidationAndGetResult` (yargs build/lib/command.js) calls
 * `usage.cacheHelpMessage()`, which is `usage.help()` (build/lib/usage.js): every option's
 * description wrapped by cliui, string-width and wrap-ansi. The text is kept only for a
 * `showHelp()` after an asynchronous failure, and drainsim never shows help on failure (its
 * `.fail()` throws; main() prints one line and a `--help` hint). For `drainsim run` that was
 * about 15 % of the instructions of the whole process.
 */
import type { Argv } from 'yargs';

/** The part of yargs' internals this touches; not in its type definitions. */
interface UsageInternals {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
}

/**
 * Makes the parser skip that rendering. Returns false, changing nothing, if this yargs does not
 * have the internals (only speed is lost then; a test pins the installed version's shape).
 */
export function skipHelpCache(parser: Argv): boolean {
  const usage = (parser as unknown as UsageInternals).getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage !== 'function') return false;
  usage.cacheHelpMessage = () => {};
  return true;
}
