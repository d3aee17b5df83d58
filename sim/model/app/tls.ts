import type { AppConfig } from '../../scenario/schema.js';

/**
 * The CPU of one full TLS handshake on the VM (app.tls): `handshake_cpu` when the client's TLS
 * ends on the VM (at nginx or the app), nothing when it does not (plaintext, or TLS ending at the
 * balancer). The cost is charged to the app's workers: nginx and the app share the VM's cores,
 * and the workers are the model's only CPU.
 */
export function tlsHandshakeCpu(app: AppConfig): number {
  return app.tls.terminates === 'none' ? 0 : app.tls.handshake_cpu;
}
