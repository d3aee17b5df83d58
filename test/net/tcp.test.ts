import { describe, expect, it } from 'vitest';
import {
  isValid,
  orderlyClose,
  synFiringAt,
  synRetransmitSchedule,
  TcpInput,
  TcpState,
  tcpModelTimeout,
  transition,
} from '../../sim/net/tcp.js';

describe('TCP endpoint transitions', () => {
  it('walks an active close to TIME_WAIT and a passive close to CLOSED', () => {
    expect(transition(TcpState.ESTABLISHED, TcpInput.CLOSE)).toEqual({ next: TcpState.FIN_WAIT_1, send: 4 });
    expect(transition(TcpState.ESTABLISHED, TcpInput.RCV_FIN).next).toBe(TcpState.CLOSE_WAIT);
    expect(transition(TcpState.FIN_WAIT_2, TcpInput.RCV_FIN).next).toBe(TcpState.TIME_WAIT);
    expect(transition(TcpState.CLOSE_WAIT, TcpInput.CLOSE).next).toBe(TcpState.LAST_ACK);
    expect(transition(TcpState.TIME_WAIT, TcpInput.TIMEOUT).next).toBe(TcpState.CLOSED);
  });

  it('the side that closes first holds TIME_WAIT; a peer that never closes stays in CLOSE_WAIT', () => {
    expect(orderlyClose(true)).toEqual({ closer: TcpState.TIME_WAIT, peer: TcpState.CLOSED });
    expect(orderlyClose(false)).toEqual({ closer: TcpState.FIN_WAIT_2, peer: TcpState.CLOSE_WAIT });
  });

  it('CLOSE_WAIT has no timer: a timeout is not a valid input there', () => {
    expect(isValid(TcpState.CLOSE_WAIT, TcpInput.TIMEOUT)).toBe(false);
    expect(() => transition(TcpState.CLOSE_WAIT, TcpInput.TIMEOUT)).toThrow(/invalid in state CLOSE_WAIT/);
  });

  it('an abort sends RST and a returning SYN reopens a TIME_WAIT', () => {
    expect(transition(TcpState.ESTABLISHED, TcpInput.ABORT)).toEqual({ next: TcpState.CLOSED, send: 5 });
    expect(transition(TcpState.TIME_WAIT, TcpInput.RCV_SYN).next).toBe(TcpState.CLOSED);
  });

  it('SYN retransmissions follow Linux: 131 s with 4 linear timeouts, 127 s without', () => {
    const linear = synRetransmitSchedule(6, 4);
    expect(linear.retransmits).toEqual([1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    expect(linear.giveUp).toBe(131);
    const classic = synRetransmitSchedule(6, 0);
    expect(classic.retransmits).toEqual([1, 3, 7, 15, 31, 63]);
    expect(classic.giveUp).toBe(127);
  });

  it('gives up when either the retransmit count or tcp_model_timeout is reached (tcp_write_timeout)', () => {
    // tcp_syn_retries 2 with 4 linear timeouts: the count would allow 6 retransmits (give-up at
    // 11 s); the time since the first SYN reaches (2^3 − 1)·1 s = 7 s at the sixth firing, so the
    // kernel gives up there (recorded: 7.22–7.25 s, kernel-holdout-syn-giveup-r2-l4-rt.json).
    expect(synRetransmitSchedule(2, 4)).toEqual({ retransmits: [1, 2, 3, 4, 5], giveUp: 7 });
    // The count decides when the retries outnumber the linear timeouts (recorded 17.39–17.65 s).
    expect(synRetransmitSchedule(3, 2)).toEqual({ retransmits: [1, 2, 3, 5, 9], giveUp: 17 });
    expect(synRetransmitSchedule(1, 0)).toEqual({ retransmits: [1], giveUp: 3 });
    // Past linear_backoff_thresh (ilog2(120) = 6) the time bound grows by TCP_RTO_MAX per retry.
    expect(tcpModelTimeout(6, 1)).toBe(127);
    expect(tcpModelTimeout(8, 1)).toBe(127 + 2 * 120);
    expect(synRetransmitSchedule(8, 0).giveUp).toBe(367);
  });
});

describe('synFiringAt: the k-th firing of a connect()’s SYN timer', () => {
  it('is each retransmission, then the give-up, then never (tcp_syn_retries 2, 4 linear timeouts: 1…5 s, give-up 7 s)', () => {
    const s = synRetransmitSchedule(2, 4);
    expect(s.retransmits).toEqual([1, 2, 3, 4, 5]);
    expect([0, 1, 2, 3, 4, 5, 6].map((k) => synFiringAt(s, k))).toEqual([1, 2, 3, 4, 5, 7, Infinity]);
  });
});
