import { describe, expect, it } from 'vitest';
import { connectMayReuseTimeWait, synReopensTimeWait } from '../../sim/net/time-wait-rules.js';

const base = {
  twReuse: 1 as 0 | 1 | 2,
  twReuseDelayMs: 1000,
  loopback: false,
  timestamps: true,
  boundBeforeConnect: false,
  enteredMs: 5000,
  nowMs: 6001,
};

describe('tcp_twsk_unique: connect() taking over its own TIME_WAIT', () => {
  it('tcp_tw_reuse=0 never reuses, even long after', () => {
    expect(connectMayReuseTimeWait({ ...base, twReuse: 0, nowMs: 60_000 })).toBe(false);
  });
  it('tcp_tw_reuse=1 reuses only strictly after tcp_tw_reuse_delay', () => {
    expect(connectMayReuseTimeWait({ ...base, nowMs: 6000 })).toBe(false);
    expect(connectMayReuseTimeWait({ ...base, nowMs: 6001 })).toBe(true);
    expect(connectMayReuseTimeWait({ ...base, twReuseDelayMs: 5000, nowMs: 9000 })).toBe(false);
  });
  it('tcp_tw_reuse=2 (the default) reuses loopback 4-tuples only', () => {
    expect(connectMayReuseTimeWait({ ...base, twReuse: 2 })).toBe(false);
    expect(connectMayReuseTimeWait({ ...base, twReuse: 2, loopback: true })).toBe(true);
  });
  it('needs timestamps on the old connection', () => {
    expect(connectMayReuseTimeWait({ ...base, timestamps: false })).toBe(false);
    expect(connectMayReuseTimeWait({ ...base, timestamps: false, boundBeforeConnect: true })).toBe(false);
  });
  it('a port bound before connect() reuses whatever tcp_tw_reuse says (twp == NULL)', () => {
    expect(connectMayReuseTimeWait({ ...base, twReuse: 0, boundBeforeConnect: true, nowMs: 5000 })).toBe(true);
  });
});

describe('tcp_timewait_state_process: a SYN to a server-side TIME_WAIT', () => {
  it('reopens it when the TSval is newer, rejects an older one (PAWS)', () => {
    expect(synReopensTimeWait({ timestamps: true, synTsval: 1001, tsRecent: 1000 })).toBe(true);
    expect(synReopensTimeWait({ timestamps: true, synTsval: 999, tsRecent: 1000 })).toBe(false);
  });
  it('without timestamps, the clock-driven ISN is after rcv_nxt: reopened', () => {
    expect(synReopensTimeWait({ timestamps: false, synTsval: 0, tsRecent: 5 })).toBe(true);
  });
});
