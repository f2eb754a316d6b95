/**
 * A queue for update handlers' work. A handler claims its transition synchronously, before its first
 * `await`, so that the validator of the next update already judges against it; then it queues its
 * side effects here, so that two updates accepted together are carried out one after the other, in
 * the order they were accepted, and never interleave their activities.
 */
export function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };
}
