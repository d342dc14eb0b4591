/**
 * Resolves on the next turn of the event loop, after the I/O that is waiting. Background work
 * that shares the gateway's process (the usage drain) does long loops in slices with this in
 * between: one loop over a 1,000-record batch held the event loop for milliseconds, and every
 * request in flight waited them out.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Records a slice handles before it gives the event loop a turn. */
export const SLICE = 200;
