// Held-out validation of the kernel model (session 13): Linux 6.18 recordings of parameter
// combinations no earlier recording had (calibration/experiments.mjs HOLDOUT_EXPERIMENTS), against
// drainsim twins written and run before the recordings (their blind predictions are in
// calibration/lib/holdout-predictions.json). Counts ±10 % (0 must be 0), times ±1 s, model figures
// the median of seeds 1–3, as compare.test.ts. Nothing here is fitted to the recordings: a
// mismatch was fixed in the kernel model from the kernel source, or is listed in GAPS with why.
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs without type declarations
import { BACKLOG_EXPERIMENTS, HOLDOUT_EXPERIMENTS } from '../../calibration/experiments.mjs';
// @ts-expect-error plain .mjs without type declarations
import { compareHoldout, holdoutComparisons } from '../../calibration/lib/holdout.mjs';

interface Row {
  experiment: string;
  id: string;
  figure: string;
  real: number | null;
  model: number | null;
  ok: boolean;
  error: string;
}
interface Data {
  experiment: string;
}

/**
 * `<experiment>/<figure id>` → why the model does not match yet. Found by these recordings: the
 * fix is in files this calibration does not own (sim/model/app/app-server.ts acceptsConnection,
 * sim/model/proxy/upstream.ts connect), so it is described in calibration/README.md (held-out
 * section) and listed here rather than fitted.
 */
const ACK_TIME_OVERFLOW =
  'the app listener is modelled with the accept-queue check at the SYN only; Linux checks again at ' +
  'the final ACK (tcp_v4_syn_recv_sock: sk_acceptq_is_full → listen_overflow, tcp_check_req) and SYN ' +
  'retransmissions fire in timer-wheel batches (tcp_retransmit_timer on a level-1 wheel slot, 32 ms ' +
  'at HZ 250), so a batch passes the SYN check together and all but the first are dropped at the ACK: ' +
  'the client is ESTABLISHED (counted here as a connect) and gets in later with a data copy or an ' +
  'answer to a SYN-ACK resend — the latter a child with no data, on which a one-worker server blocks ' +
  'in recv() until the next data copy';
const GAPS: Record<string, string> = {
  'kernel-holdout-backlog16-100-s50ms/connects': ACK_TIME_OVERFLOW,
  'kernel-holdout-backlog16-100-s50ms/answered': ACK_TIME_OVERFLOW,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms/connects': ACK_TIME_OVERFLOW,
};

const file = (name: string) => new URL(`../../calibration/data/${name}.json`, import.meta.url);
const names = ([...HOLDOUT_EXPERIMENTS, ...BACKLOG_EXPERIMENTS] as { name: string }[]).map((e) => e.name);
const data = names.filter((n) => existsSync(file(n))).map((n) => JSON.parse(readFileSync(file(n), 'utf8')) as Data);
const planned = data.flatMap((d) =>
  (holdoutComparisons(d) as Row[]).map((row) => ({ ...row, experiment: d.experiment })),
);
let rows: Row[] = [];

beforeAll(() => {
  rows = compareHoldout(data) as Row[];
  if (process.env.DRAINSIM_CALIBRATION_TABLE) {
    for (const r of rows) console.log(`${r.experiment} | ${r.id} | ${r.real} | ${r.model} | ${r.error}`);
  }
}, 600_000);

describe('held-out kernel experiments: drainsim against Linux 6.18', () => {
  it('every held-out experiment has its recording', () => {
    expect(data.map((d) => d.experiment)).toEqual(names);
  });

  it('the known gaps are still gaps (a fix must move them into the compared rows)', () => {
    for (const key of Object.keys(GAPS)) {
      const r = rows.find((x) => `${x.experiment}/${x.id}` === key);
      expect(r, key).toBeDefined();
      expect(r!.ok, `${key}: real ${r!.real}, drainsim ${r!.model} now within tolerance`).toBe(false);
    }
  });

  for (const p of planned) {
    const key = `${p.experiment}/${p.id}`;
    const title = `${p.experiment}: ${p.figure}`;
    if (GAPS[key]) {
      it.skip(`${title} — not compared: ${GAPS[key]}`, () => {});
      continue;
    }
    it(`${title} within tolerance`, () => {
      const r = rows.find((x) => x.experiment === p.experiment && x.id === p.id)!;
      expect(r.ok, `real ${r.real}, drainsim ${r.model} (${r.error})`).toBe(true);
    });
  }
});
