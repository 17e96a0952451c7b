/** Free loopback ports for real-binary tests (several people run tests on this machine at once). */
import { createServer } from "node:net";

/**
 * Returns a TCP port that was free on 127.0.0.1 a moment ago: binds port 0, reads the port the
 * kernel picked, and closes. Another process could take it before you bind it, which is rare
 * enough for tests; bind it soon after asking.
 */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            const port = typeof address === "object" && address ? address.port : 0;
            server.close(() => (port > 0 ? resolve(port) : reject(new Error("could not read the bound port"))));
        });
    });
}
