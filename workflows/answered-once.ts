import { currentUpdateInfo } from '@temporalio/workflow';

/**
 * Lifecycle updates answered once per update id. A server may deliver an update again under the
 * same id (the Java test server does under load); judged again, its validator would see the state
 * its first delivery already claimed ("cannot activate a partnership that is active") and the
 * caller would get a failure for an update that was carried out. A repeat is accepted and given
 * the first delivery's answer instead.
 */
export function answeredOnce() {
  const answers = new Map<string, Promise<unknown>>();
  const id = () => currentUpdateInfo()?.id;
  return {
    /** For a validator: this delivery repeats an update already accepted. */
    repeated(): boolean {
      const current = id();
      return current !== undefined && answers.has(current);
    },
    /** For a handler: runs `work` (synchronously up to its first await) the first time only. */
    answer<T>(work: () => Promise<T>): Promise<T> {
      const current = id();
      const first = current === undefined ? undefined : answers.get(current);
      if (first) return first as Promise<T>;
      const answer = work();
      if (current !== undefined) answers.set(current, answer);
      return answer;
    },
  };
}
