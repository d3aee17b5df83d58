/** Where a job (an HTTP request) is in the app right now. */
export const ReqPhase = { NONE: 0, QUEUED: 1, SERVING: 2, CONNECTING: 3 } as const;
export type ReqPhase = (typeof ReqPhase)[keyof typeof ReqPhase];

/** HTTP status the app (or nginx in front of it) gives a job. */
export const Status = {
  /**
   * No response at all: the server's connection closed (FIN) or was reset before any byte of one
   * (a bare app server, `backends[].proxy: none`, killed under the request). Never reaches a
   * client: the L7 balancer turns it into its own 502 or a silent close (lb/l7-dispatch.ts).
   */
  NO_RESPONSE: 0,
  /** As NO_RESPONSE, but reset (RST): a request the killed bare app had not read yet. */
  RESET: 1,
  OK: 200,
  INTERNAL_ERROR: 500,
  BAD_GATEWAY: 502,
  UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/**
 * Work the app's workers serve: a request on a client connection (connection-level model), an
 * independent request (request-level model), or a health-check request. Health checks wait in
 * the same queue as real traffic, which is why they time out under load.
 */
export interface AppJob {
  phase: ReqPhase;
  backend: number;
  timer: number;
  /** When the current service ends (shifted by pauses). */
  serviceEnd: number;
  /** Status decided when service started (dependencies), delivered when it ends. */
  status: Status;
  /** Whether serving the job needs the app's dependencies (deep checks and real requests). */
  deep: boolean;
  /** Fixed service time for this job, or -1 to draw from the app's distribution. */
  fixedService: number;
  /** A deep check's own timeout on its database query (Infinity: none) and what it then answers. */
  depTimeout: number;
  depTimeoutStatus: Status;
  /** Called when the job leaves the app (served, or dropped with a status). */
  onDone: (job: AppJob) => void;
  /** The JobList (job-list.ts: an app's jobs in service) holding the job, null: none; and its
   *  slot there. Written only by JobList. */
  inList: object | null;
  indexInList: number;
}

export const NO_FIXED_SERVICE = -1;
