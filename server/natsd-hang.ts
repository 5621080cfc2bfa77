import { connect as tcpConnect } from 'node:net';

// The monitor's own broker can hang without dying: stopped (SIGSTOP, a debugger), deadlocked, or
// stuck on its store. Its port still accepts connections (the kernel's backlog does that) and
// the monitor's client keeps a connection that answers nothing, so nothing restarts it: the
// monitor stayed "broker not answering" until someone killed the broker by hand. In embedded
// mode the monitor owns that broker, so it finds the hang itself: a live nats-server greets every
// new connection with INFO at once; one that has greeted no one for LOCAL_NATS_HANG_MS is killed,
// and keepLocalNats starts it again on the same port and store as after any exit.

/** Whether a nats-server on this port greets a new connection (INFO …) within timeoutMs. */
export function greets(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    let seen = '';
    const end = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      done(ok);
    };
    const timer = setTimeout(() => end(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.length >= 5) end(seen.startsWith('INFO '));
    });
    socket.on('error', () => end(false));
    socket.on('close', () => end(false));
  });
}

/** The watch's memory: since when probes have failed without a break, and how many. */
export interface HangWatch {
  failingSinceMs?: number;
  failures: number;
}

/**
 * After a probe: the watch as it is now, and whether the broker is hung. Hung takes both a time
 * (hangMs of nothing but failed probes: a start reading a large store, a loaded machine, are
 * slow, not hung) and three failed probes in a row (one probe delayed by a paused event loop is
 * not evidence).
 */
export function afterProbe(watch: HangWatch, greeted: boolean, nowMs: number, hangMs: number): { watch: HangWatch; hung: boolean } {
  if (greeted) return { watch: { failures: 0 }, hung: false };
  const next = { failingSinceMs: watch.failingSinceMs ?? nowMs, failures: watch.failures + 1 };
  return { watch: next, hung: next.failures >= 3 && nowMs - next.failingSinceMs >= hangMs };
}

/** How often the broker is probed: often enough to find a hang soon after hangMs, at most every 5 s. */
export const probeEveryMs = (hangMs: number): number => Math.max(200, Math.min(5_000, Math.floor(hangMs / 4)));
