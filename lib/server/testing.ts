import { afterAll } from 'vitest';
import { serve, type WebHandler } from './node-adapter';

/**
 * Test support: serves handlers through the lean entry's node adapter on loopback, each on its
 * own port, all closed after the file's tests. Returns `served(handler)` → its base URL.
 */
export function adapterServers(): (handler: WebHandler) => Promise<string> {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => Promise.all(servers.map((server) => server.close())));
  return async (handler) => {
    const server = await serve(handler);
    servers.push(server);
    return server.url;
  };
}
