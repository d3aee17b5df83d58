/** The terminal rendering of a fit: quantiles side by side, the verdict, and the value to paste. */
import { formatDuration } from '../../scenario/units.js';
import { FIT_QUANTILES, type FitResult } from './fit-lifetimes.js';

const YEAR = 365 * 86_400;

const NAMES = { lognormal: 'lognormal', exponential: 'exponential', pareto: 'pareto' } as const;

function cell(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

function q(seconds: number | undefined): string {
  if (seconds === undefined) return 'censored';
  // Beyond a year a quantile says only that the family's tail is absurd for sessions.
  if (!(seconds <= YEAR)) return '> 1 year';
  return formatDuration(seconds >= 60 ? Math.round(seconds) : Number(seconds.toPrecision(3)));
}

export function renderFitText(result: FitResult, source: string): string {
  const lines: string[] = [];
  const open = result.censored > 0 ? `, ${result.censored.toLocaleString('en-US')} still open (censored MLE)` : '';
  lines.push(`Fitted session lifetimes: ${result.sessions.toLocaleString('en-US')} sessions from ${source}${open}`);
  lines.push('');
  const header = ['', 'KS D', 'p-value', 'ΔAIC', ...FIT_QUANTILES.map((p) => `p${Number((p * 100).toFixed(1))}`)];
  const widths = [13, 8, 9, 9, 12, 12, 12, 12];
  const row = (cells: string[]) =>
    cells
      .map((c, i) => cell(c, widths[i]!))
      .join('')
      .trimEnd();
  lines.push(row(header));
  lines.push(row(['empirical', '', '', '', ...result.empirical.map(q)]));
  const bestAic = result.best.fitted.aic;
  for (const f of result.families) {
    lines.push(
      row([
        NAMES[f.fitted.family],
        f.ks.toFixed(4),
        f.pValue < 1e-4 ? '<0.0001' : f.pValue.toFixed(4),
        (f.fitted.aic - bestAic).toFixed(1),
        ...f.quantiles.map(q),
      ]),
    );
  }
  lines.push('');
  const best = result.best;
  if (result.goodFit) {
    lines.push(
      `Best: ${NAMES[best.fitted.family]} (lowest AIC); good fit: KS D ${best.ks.toFixed(4)} ≤ ${result.critical.toFixed(4)}, the 5 % critical distance for ${(result.sessions - result.censored).toLocaleString('en-US')} ended sessions.`,
    );
    lines.push('Paste into a scenario:');
    lines.push(`  ${best.spec}`);
  } else {
    lines.push(
      `POOR FIT: the best family, ${NAMES[best.fitted.family]}, is ${best.ks.toFixed(4)} from the data (KS D; the 5 % critical distance is ${result.critical.toFixed(4)}).`,
    );
    lines.push(
      'No family describes these sessions (several populations? compare the quantiles above); prefer the measured distribution:',
    );
    lines.push('  drainsim fit … --csv lifetimes.csv   then   empirical(lifetimes.csv)');
    lines.push(`Closest family, if one is needed: ${best.spec}`);
  }
  return `${lines.join('\n')}\n`;
}
