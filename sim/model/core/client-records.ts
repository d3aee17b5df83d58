import { ReqPhase } from './app-job.js';
import { type Conn, ConnKind, NO_MACHINE, newClientRecord, RETIRED } from './conn.js';
import { LbFlow } from './flow.js';

/**
 * The debug switch of the records' end of life: with DRAINSIM_POISON_RETIRED=1 in the environment,
 * a retired record of a run that reuses records is not reused but poisoned, and any read or write
 * of it afterwards throws with the field's name (the goldens and the model's tests run under it find
 * every holder that keeps a client record past its end); `all`: in every run, also those whose
 * records are not reused (world.ts reusesClientRecords), to find the holders that keep them from
 * it. Read once when the module loads: the run's path tests it once per client made or retired.
 */
const POISON_SWITCH = typeof process !== 'undefined' ? process.env.DRAINSIM_POISON_RETIRED : undefined;

/**
 * The client records of one run (issue 14: memory at 100k clients). A client's record lives from
 * its arrival to its end of life, its last connection closed with nothing left to send; then
 * the population retires it and the next client to arrive takes it back, renewed to a new
 * record's values (Conn.renew). Before, each arrival made a record that outlived V8's young
 * generation (a client lives seconds to hours), was promoted and died in old space: at drain
 * 100k 446,646 records made for ~98,000 live, and the old space grew to several times the live
 * set between full collections.
 *
 * Retiring is safe only once nothing holds the record any more: no engine event carries it, no
 * table is keyed by it. An HTTP client ends for good after its last request, or when nginx closes
 * its connection with nothing left to send, or when it gives up a request (clients/http-keepalive.ts);
 * a record some holder still marks as its own then is not reused (letGo, below), and the runs whose
 * tables keep a client's record past its connections reuse none (world.ts reusesClientRecords).
 * The poison switch above checks the rest.
 */
export class ClientRecords {
  /** HTTP records retired and not yet taken again (last in, first out: the warmest first). */
  private readonly spare: Conn[] = [];
  private nextId = 1;

  /** `reuse`: retired records are given to new clients (false: retiring only drops them; world.ts reusesClientRecords). */
  constructor(private readonly reuse = true) {
    this.poisons = POISON_SWITCH === 'all' || (POISON_SWITCH === '1' && reuse);
  }

  /** The debug switch is on for this run (above). */
  private readonly poisons: boolean;

  /** A record for a new client of this kind: a retired HTTP one renewed, else a new one. */
  make(kind: ConnKind): Conn {
    const id = this.nextId++;
    if (kind === ConnKind.HTTP && this.spare.length > 0) {
      const conn = this.spare.pop()!;
      conn.renew(id);
      return conn;
    }
    const conn = newClientRecord(id, kind);
    return this.poisons ? poisonable(conn) : conn;
  }

  /**
   * The client of `conn` has ended for good: nothing reads the record again until it is made anew.
   * A record some holder still marks as its own (lettingGo) is left as it is, to its holders, and
   * never reused.
   */
  retire(conn: Conn): void {
    // Twice would give the record to two clients.
    if (conn.id === RETIRED) throw new Error('ClientRecords.retire: the record is retired already');
    if (conn.kind !== ConnKind.HTTP) throw new Error('ClientRecords.retire: only HTTP client records are reused');
    if (!letGo(conn)) return;
    conn.id = RETIRED;
    if (this.poisons) poison(conn);
    else if (this.reuse) this.spare.push(conn);
  }
}

/**
 * Every holder that marks the record as held has let it go: no timer of the client's or of nginx's
 * on it (an engine event would carry it), no request in flight at nginx or the app, in no VM's
 * lists or nginx's tallies, no socket or balancer entry of its flow left, no L7 stream. Not so,
 * e.g., when a client gives up its request while nginx still waits for the app (its
 * proxy_read_timeout stays armed: proxy/upstream.ts readTimedOut fires on the record later).
 * Holders that keep the record without marking it (an event scheduled with it, a table keyed by
 * it) are the poison switch's to find (above).
 */
function letGo(conn: Conn): boolean {
  return (
    conn.timer === -1 &&
    conn.requestTimer === -1 &&
    conn.upstreamReadTimer === -1 &&
    conn.phase === ReqPhase.NONE &&
    conn.upstream === null &&
    conn.inList === null &&
    conn.backend === -1 &&
    conn.lbFlow === LbFlow.NONE &&
    conn.vmSlot === -1 &&
    conn.phaseWatch === null &&
    conn.nginxCountedBy === null &&
    conn.serverHost === null &&
    conn.clientPair === NO_MACHINE &&
    conn.lbPort === -1 &&
    conn.stream === null
  );
}

/** Debug switch: each record's target behind its proxy, and the targets retired. */
const targets = new WeakMap<Conn, Conn>();
const poisoned = new WeakSet<Conn>();

function deadRead(what: string, field: string | symbol): Error {
  return new Error(`client record ${what} after its end of life: ${String(field)}`);
}

/**
 * `conn` behind a proxy that throws on any use once the record is retired, but a read of its `id`:
 * the generation a late event captured at scheduling compares with it (RETIRED now) to let go.
 */
function poisonable(conn: Conn): Conn {
  const proxy = new Proxy(conn, {
    get(target, field) {
      if (poisoned.has(target) && field !== 'id') throw deadRead('read', field);
      // The record itself as the receiver: an accessor over its row (conn.ts clientIp, timer, …)
      // then reads the row's fields on the record, not through this proxy again, and an error
      // names the field its holder used.
      return Reflect.get(target, field, target);
    },
    set(target, field, value) {
      if (poisoned.has(target)) throw deadRead('written', field);
      return Reflect.set(target, field, value, target);
    },
  });
  targets.set(proxy, conn);
  return proxy;
}

function poison(conn: Conn): void {
  const target = targets.get(conn);
  if (target === undefined) throw new Error('ClientRecords.retire: a record this run did not make');
  if (poisoned.has(target)) throw new Error('ClientRecords.retire: retired twice');
  poisoned.add(target);
}
