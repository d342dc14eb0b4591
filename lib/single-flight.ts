/**
 * Calls that share one run while it lasts: the first caller for a name starts `run`, the others
 * get the same promise until it settles. For rebuilding what Redis lost from PostgreSQL, where a
 * burst of requests right after the loss would otherwise each make the same query.
 */
export function singleFlight<T>(): (name: string, run: () => Promise<T>) => Promise<T> {
  const running = new Map<string, Promise<T>>();
  return (name, run) => {
    let flight = running.get(name);
    if (!flight) {
      flight = run().finally(() => running.delete(name));
      running.set(name, flight);
    }
    return flight;
  };
}
