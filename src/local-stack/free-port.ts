/**
 * A free TCP port on 127.0.0.1, for the local services started on ports nobody chose (the test
 * setup's PostgreSQL and Temporal, the benches' stacks): startTemporalDevServerOnFreePort takes it.
 */
import * as net from 'node:net';

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
