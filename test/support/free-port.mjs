/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it).
 */
import net from "node:net";

/**
 * Asks the OS for an unused port on 127.0.0.1 and releases it. Another process may take it before the
 * caller binds it; callers that can retry should.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error(`freePort: unexpected server address ${JSON.stringify(address)}`));
        return;
      }
      const { port } = address;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
