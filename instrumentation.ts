/**
 * Runs once when a server process starts (not during `next build`): the configuration is
 * checked and the database migrated before the first request, so a bad variable stops the
 * server at once with a message naming it.
 */
export async function register() {
  // NEXT_RUNTIME is inlined by the Next.js compiler (not configuration), so it is read here.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('./lib/startup');
  await startServer();
}
