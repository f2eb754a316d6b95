import DataLoader from 'dataloader';
import type { Db } from './client.js';

// After the I/O callbacks of this turn (DataLoader's default is the end of the current job), so that
// every request read in one poll of the event loop joins the statement.
const batchScheduleFn = (run: () => void) => setImmediate(run);

/**
 * One statement for the keys asked for in a turn of the event loop, instead of one each: on two cores
 * a statement's socket write to PostgreSQL costs about as much as the rest of a request
 * (BENCHMARKS.md). `batch` answers every key, in order. A loader is made for each database client on
 * its first use; nothing is cached between turns.
 */
export function gatheredByTurn<K, V>(batch: (db: Db, keys: readonly K[]) => Promise<V[]>): (db: Db) => DataLoader<K, V> {
  const loaders = new WeakMap<Db, DataLoader<K, V>>();
  return (db) => {
    let loader = loaders.get(db);
    if (!loader) {
      loader = new DataLoader((keys) => batch(db, keys), { cache: false, batchScheduleFn });
      loaders.set(db, loader);
    }
    return loader;
  };
}
