/**
 * Test support: rate limits use fixed windows (per minute, hour, day), so a test that fills a
 * window must not straddle its edge. This waits, if needed, until at least `marginMs` remain
 * before the next minute starts.
 */
export async function awayFromMinuteEdge(marginMs = 5_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
