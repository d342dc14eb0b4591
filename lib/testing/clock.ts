/**
 * Test support: rate limits count in windows aligned to the clock (the gateway's per minute, hour
 * and day; the login limiter's 15-minute sliding window weighs the window before, which forgives a
 * little right after an edge), so a test that fills a window must not straddle its edge. This
 * waits, if needed, until at least `marginMs` remain before the next window of `windowMs` starts.
 */
export async function awayFromWindowEdge(windowMs: number, marginMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** The same for one-minute windows. */
export const awayFromMinuteEdge = (marginMs = 5_000): Promise<void> => awayFromWindowEdge(60_000, marginMs);
