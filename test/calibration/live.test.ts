// A short real-kernel experiment, so the calibration harness cannot rot: it runs when this
// machine lets us create network namespaces (root, iproute2) and is skipped with the reason
// otherwise. Traffic stays on loopback inside a namespace the harness creates and deletes.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs harness without type declarations
import { LIVE_CHECK } from '../../calibration/experiments.mjs';
// @ts-expect-error plain .mjs harness without type declarations
import { runExperiment } from '../../calibration/lib/experiment.mjs';
// @ts-expect-error plain .mjs harness without type declarations
import { namespaceSupport } from '../../calibration/lib/netns.mjs';

const support = namespaceSupport() as { ok: boolean; reason: string };

describe('calibration harness on the real kernel', () => {
  it.skipIf(!support.ok)(
    `client closes first at 200/s for 12 s: TIME_WAIT grows by the connect rate, ports walk in +2…+16 steps${
      support.ok ? '' : ` (skipped: ${support.reason})`
    }`,
    async () => {
      const data = await runExperiment({ ...LIVE_CHECK, tag: 'live', serverPort: 20000 + (process.pid % 10000) });
      const { summary, perSecond, ports } = data;
      expect(summary.failures).toBe(0);
      expect(summary.achievedConnectRate).toBeGreaterThan(180);
      // With tcp_tw_reuse=0 and 12 s < 60 s nothing leaves TIME_WAIT: every connect is one.
      const last = perSecond.find((s: { t: number }) => s.t >= LIVE_CHECK.seconds - 0.5);
      expect(last.timeWaitClient).toBeGreaterThan(0.9 * 200 * (LIVE_CHECK.seconds - 1));
      expect(last.timeWaitServer).toBe(0);
      // __inet_hash_connect: low-end parity, steps of 2…16 (mean 9) inside a 10-s period.
      expect(ports.stats.lowEndParityShare).toBe(1);
      expect(ports.stats.walkStepMean).toBeGreaterThan(7.5);
      expect(ports.stats.walkStepMean).toBeLessThan(10.5);
      expect(data.stamp.sysctls['net.ipv4.tcp_tw_reuse']).toBe('0');
      // The namespace is gone.
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      expect(left).not.toContain(`drainsim-cal-${process.pid}-live`);
    },
    60_000,
  );
});
