/** Entry point of a sweep worker thread: runs the tasks the pool sends, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { TaskRunner } from './run-task.js';
import type { ResultMessage, TaskMessage, WorkerSetup } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('sweep-worker.js runs as a worker thread of the sweep pool');
const runner = new TaskRunner(workerData as WorkerSetup);

port.on('message', ({ task }: TaskMessage) => {
  let message: ResultMessage;
  try {
    message = { ok: true, record: runner.run(task) };
  } catch (err) {
    message = { ok: false, task, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(message);
});
