/**
 * What `work` resolves to, or the error `timedOut()` makes once `ms` have passed, whichever comes first.
 * The work itself is not cancelled (the caller does that if it can); the timer never outlives the race.
 *
 * After the event loop was blocked (a long synchronous stretch, a GC pause on a loaded machine), Node runs the
 * expired timers before it reads the sockets whose answers arrived meanwhile: the deadline is only called after
 * that read (`setImmediate` runs after the loop's I/O phase), so an answer that came in time is not a timeout.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let pastDeadline: NodeJS.Immediate | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      pastDeadline = setImmediate(() => reject(timedOut()));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    clearImmediate(pastDeadline);
  }
}
