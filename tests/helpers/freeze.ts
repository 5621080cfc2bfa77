import { readdirSync, readFileSync } from 'node:fs';

// SIGSTOP returns before the process has stopped: the kernel stops each thread as it next returns
// to user space, and on a loaded machine nats-server's network thread answered a request or two
// after kill() had returned (a lease renewal confirmed by a "hung" broker, CI on d3ac2ad). A test
// that means "the broker hangs now" waits until every thread says so.

/** the states /proc gives a thread: T stopped by a signal, t by a tracer, Z or X exited (a
 *  process whose main thread exited keeps it as a zombie while the others run or stop) */
const NOT_RUNNING = new Set(['T', 't', 'Z', 'X']);

/** Every thread stopped (or exited); a thread that exits while it is read counts as exited. Throws once the process is gone. */
export function allThreadsStopped(pid: number): boolean {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    throw new Error(`freeze: process ${pid} is gone`);
  }
  const states = tids.map((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const end = stat.lastIndexOf(')'); // the name may hold spaces and ')'
      return stat.slice(end + 2, end + 3);
    } catch {
      return 'X';
    }
  });
  // every thread exited: a killed process its parent has not reaped yet, not a stopped one
  if (states.every((state) => state === 'Z' || state === 'X')) throw new Error(`freeze: process ${pid} is gone`);
  return states.every((state) => NOT_RUNNING.has(state));
}

/** SIGSTOP, resolved once every thread of the process has stopped (bounded: a stop that never lands is an error) */
export async function freeze(pid: number | undefined): Promise<void> {
  if (pid === undefined) throw new Error('freeze: no process');
  process.kill(pid, 'SIGSTOP');
  for (let waited = 0; !allThreadsStopped(pid); waited += 5) {
    if (waited > 10_000) throw new Error(`freeze: process ${pid} not stopped 10 s after SIGSTOP`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
