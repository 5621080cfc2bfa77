import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Gathers items into batches for a sink that is slow per call and fast per row (ClickHouse:
 * ~5–30 ms an insert, ~1M rows/s inside one). A batch closes `lingerMs` after its first item,
 * or at `max` items — but never while the previous batch is still being written: items keep
 * joining the open batch instead, so a slow write makes the next batch bigger, not the queue
 * longer. Results come out in batch order; a failed write is the caller's `write` to report.
 */
export function batchWhileBusy<T, R>(
  write: (batch: T[]) => Promise<R>,
  opts: { lingerMs: number; max: number; scheduler?: SchedulerLike },
): OperatorFunction<T, R> {
  const scheduler = opts.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<R>((subscriber) => {
      let buffer: T[] = [];
      let busy = false;
      let done = false;
      let timer: Subscription | undefined;

      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (busy || buffer.length === 0) {
          if (!busy && done) subscriber.complete();
          return;
        }
        busy = true;
        const batch = buffer.length <= opts.max ? buffer : buffer.slice(0, opts.max);
        buffer = buffer.length <= opts.max ? [] : buffer.slice(opts.max);
        write(batch).then(
          (result) => {
            busy = false;
            subscriber.next(result);
            if (buffer.length >= opts.max || done) flush();
            else if (buffer.length > 0) arm();
          },
          (err: unknown) => subscriber.error(err),
        );
      };
      const arm = (): void => {
        if (!timer) timer = scheduler.schedule(flush, opts.lingerMs);
      };

      const sub = source.subscribe({
        next: (item) => {
          buffer.push(item);
          if (buffer.length >= opts.max) flush();
          else arm();
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          done = true;
          flush();
        },
      });
      return () => {
        sub.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
