/**
 * What `work` resolves to, or the error `timedOut()` makes once `ms` have passed, whichever comes first.
 * The work itself is not cancelled (the caller does that if it can); the timer never outlives the race.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
