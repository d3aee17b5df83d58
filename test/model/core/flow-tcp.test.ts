/** Both ends of a client flow walk net/tcp.ts's transitions, without the engine. */
import { describe, expect, it } from 'vitest';
import { closeFlow, EndKind, type FlowEnds, openFlow, serverEndGone } from '../../../sim/model/core/flow-tcp.js';
import { TCP_STATE_NAMES, TcpState } from '../../../sim/net/tcp.js';

function traced(run: (f: FlowEnds, observe: (end: 'client' | 'server', s: TcpState) => void) => void): {
  f: FlowEnds;
  path: string[];
} {
  const f: FlowEnds = { clientTcp: TcpState.CLOSED, serverTcp: TcpState.CLOSED };
  const path: string[] = [];
  run(f, (end, s) => path.push(`${end} ${TCP_STATE_NAMES[s]}`));
  return { f, path };
}

const established = (): FlowEnds => {
  const f: FlowEnds = { clientTcp: TcpState.CLOSED, serverTcp: TcpState.CLOSED };
  openFlow(f);
  return f;
};

describe('flow TCP states', () => {
  it('a handshake leaves both ends ESTABLISHED through SYN_SENT and SYN_RECEIVED', () => {
    const { f, path } = traced((f, o) => openFlow(f, o));
    expect(path).toEqual(['client SYN_SENT', 'server SYN_RECEIVED', 'client ESTABLISHED', 'server ESTABLISHED']);
    expect(f).toEqual({ clientTcp: TcpState.ESTABLISHED, serverTcp: TcpState.ESTABLISHED });
  });

  it('nginx closing first passes FIN_WAIT_2, CLOSE_WAIT and LAST_ACK and leaves TIME_WAIT on the server end', () => {
    const { f, path } = traced((f, o) => {
      openFlow(f);
      closeFlow(f, EndKind.SERVER_FIN, o);
    });
    expect(path).toEqual([
      'server FIN_WAIT_1',
      'client CLOSE_WAIT',
      'server FIN_WAIT_2',
      'client LAST_ACK',
      'server TIME_WAIT',
      'client CLOSED',
    ]);
    expect(f).toEqual({ clientTcp: TcpState.CLOSED, serverTcp: TcpState.TIME_WAIT });
  });

  it('the client closing first leaves TIME_WAIT on the client end only', () => {
    const f = established();
    closeFlow(f, EndKind.CLIENT_FIN);
    expect(f).toEqual({ clientTcp: TcpState.TIME_WAIT, serverTcp: TcpState.CLOSED });
  });

  it('a reset or a silent end leaves no TIME_WAIT on either end', () => {
    for (const how of [EndKind.RESET, EndKind.SILENT]) {
      const f = established();
      closeFlow(f, how);
      expect(f).toEqual({ clientTcp: TcpState.CLOSED, serverTcp: TcpState.CLOSED });
    }
  });

  it('an L4 proxy closing both of its connections: each end closes passively (CLOSE_WAIT, LAST_ACK), no TIME_WAIT on either', () => {
    const f = established();
    const { path } = traced((_, o) => closeFlow(f, EndKind.PROXY_FIN, o));
    expect(path).toEqual([
      'client CLOSE_WAIT',
      'client LAST_ACK',
      'client CLOSED',
      'server CLOSE_WAIT',
      'server LAST_ACK',
      'server CLOSED',
    ]);
    expect(f).toEqual({ clientTcp: TcpState.CLOSED, serverTcp: TcpState.CLOSED });
  });

  it('a FIN to a server end the balancer already reset is answered with RST: no TIME_WAIT', () => {
    const f = established();
    serverEndGone(f, true);
    expect(f.serverTcp).toBe(TcpState.CLOSED);
    const { path } = traced((_, o) => closeFlow(f, EndKind.CLIENT_FIN, o));
    expect(path).toEqual(['client FIN_WAIT_1', 'client CLOSED']);
    expect(f).toEqual({ clientTcp: TcpState.CLOSED, serverTcp: TcpState.CLOSED });
  });
});
