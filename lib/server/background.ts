import { startReservationSweeper } from '@/lib/limits/sweeper';
import { startUsageDrain } from '@/lib/usage/drain';

/**
 * The production entry's background thread (start.mjs runs it in a worker on PostgreSQL): the
 * usage drain and the reservation sweeper. In the request thread, a drain pass over a batch of
 * 1,000 records took the event loop for milliseconds at a time even in slices, and every request
 * in flight waited; here it has an event loop of its own. Bundled by `npm run build` like the
 * hot path. With the embedded database they stay in the server's thread (lib/startup.ts): PGlite
 * is one database per process.
 */
startUsageDrain();
startReservationSweeper();

// The drain's and sweeper's timers are unref'd (they never keep a script or test alive); this
// thread exists for them, so it stays until the server stops it.
setInterval(() => {}, 1 << 30);
