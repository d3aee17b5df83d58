import { describe, expect, it } from 'vitest';
import { isValid, orderlyClose, synRetransmitSchedule, TcpInput, TcpState, transition } from '../../sim/net/tcp.js';

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
});
