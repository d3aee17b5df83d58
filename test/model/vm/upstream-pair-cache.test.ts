/**
 * Backend.upstreamPair / appPair return the pairs interned for nginx's current configuration
 * without re-reading it on every call (backend.ts pairsConfig): they must still follow every
 * reload that changes `upstream_loopback` (either way), stay put across one that does not, and
 * be interned afresh on a rebuilt VM's new kernel.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { APP_PORT, LOOPBACK, vmAddress } from '../../../sim/model/core/kernel-hosts.js';
import { Backend } from '../../../sim/model/vm/backend.js';
import { AppSchema, KernelSchema, NginxSchema } from '../../../sim/scenario/schema.js';

function backend(loopback: boolean): Backend {
  return new Backend(
    3,
    'b3',
    NginxSchema.parse({ upstream_loopback: loopback }),
    AppSchema.parse({}),
    KernelSchema.parse({}),
    new RandomStreams(1),
  );
}

/** The pairs as the kernel interns them for the address nginx's configuration names now. */
function expected(b: Backend): { up: number; app: number } {
  const addr = b.nginx.config.upstream_loopback ? LOOPBACK : vmAddress(b.index);
  return { up: b.host.connectPair(addr, addr, APP_PORT), app: b.host.acceptPair(addr, APP_PORT, addr) };
}

describe('Backend upstream pairs', () => {
  it('follow each reload of upstream_loopback, and a rebuilt kernel', () => {
    const b = backend(false);
    const seen = (): { up: number; app: number } => ({ up: b.upstreamPair, app: b.appPair });
    const vm = seen();
    expect(vm).toEqual(expected(b));
    b.nginx.reload({ ...b.nginx.config, upstream_loopback: true });
    const lo = seen();
    expect(lo).toEqual(expected(b));
    expect(lo.up).not.toBe(vm.up);
    expect(lo.app).not.toBe(vm.app);
    // A reload that changes something else: same pairs.
    b.nginx.reload({ ...b.nginx.config, keepalive_timeout: 5 });
    expect(seen()).toEqual(lo);
    b.nginx.reload({ ...b.nginx.config, upstream_loopback: false });
    expect(seen()).toEqual(vm);
    // A rebuilt VM boots a new kernel: the pairs are that kernel's.
    b.vanish();
    b.resetKernel();
    expect(seen()).toEqual(expected(b));
  });
});
