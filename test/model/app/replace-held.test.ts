/**
 * A request an event loop holds unread (its connection in the accept queue, or accepted and not
 * yet read: event-loop-accepts.ts) whose sender lets it go — nginx's proxy_read_timeout or its
 * client's close (AppServer.orphan: a stand-in does the work for nobody), nginx ending the
 * connection (AppServer.withdraw: a stand-in too, since the request's bytes are already in the
 * app's socket). Without replaceHeld the loop read the
 * sender's record later and started it again (a connection record nginx had moved on with).
 */
import { describe, expect, it } from 'vitest';
import { EventLoopAccepts } from '../../../sim/model/app/event-loop-accepts.js';
import { Req } from '../../../sim/model/core/request.js';

describe('EventLoopAccepts.replaceHeld', () => {
  it('a held request in the accept queue: its stand-in is read in its place', () => {
    const loop = new EventLoopAccepts();
    const [a, ghost] = [new Req(() => {}), new Req(() => {})];
    loop.jobStarted();
    loop.queued();
    loop.holdUntilAccept(a);
    expect(loop.replaceHeld(a, ghost)).toBe(true);
    expect(loop.jobDone(0)).toEqual([ghost]);
  });

  it('accepted and not yet read: replaced or taken out of what the iteration reads', () => {
    const loop = new EventLoopAccepts();
    const [a, b, ghost] = [new Req(() => {}), new Req(() => {}), new Req(() => {})];
    loop.jobStarted();
    loop.queued();
    loop.holdUntilAccept(a);
    loop.queued();
    loop.holdUntilAccept(b);
    loop.jobDone(1); // accepts a's connection: its request is read at the next iteration's end
    expect(loop.replaceHeld(a, ghost)).toBe(true);
    expect(loop.readable()).toEqual([ghost]);
    loop.jobDone(1); // accepts b's
    expect(loop.replaceHeld(b, ghost)).toBe(true);
    expect(loop.readable()).toEqual([ghost]);
    expect(loop.replaceHeld(b, ghost)).toBe(false);
  });
});
