/**
 * Raw HTTP/1.1 over TCP or TLS for the cross-tenant suite: the bytes are sent exactly as written
 * (duplicate and odd headers, Transfer-Encoding tricks, pipelined requests), and every status
 * line nginx answers is collected. Failures (TLS alerts, resets) come back as data.
 */
import { connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** Client TLS material; without it the connection is plain TCP. */
export interface RawTls {
    ca: string;
    cert?: string;
    key?: string;
}

/** What a raw exchange produced. */
export interface RawOutcome {
    /** Every HTTP status line's code, in order (pipelined requests give several). */
    statuses: number[];
    /** The connection error, if one ended the exchange (handshake failure, reset). */
    error?: string;
    /** The first 300 bytes of the response, for the report. */
    head: string;
}

/** Sends `bytes` to 127.0.0.1:`port` and reads until the server closes (or `timeoutMs`). */
export function sendRaw(port: number, bytes: string | Buffer, tls?: RawTls, timeoutMs = 2_000): Promise<RawOutcome> {
    return new Promise((resolve) => {
        let received = "";
        let error: string | undefined;
        let done = false;
        const finish = () => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            socket.destroy();
            const statuses = [...received.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
            resolve({ statuses, error, head: received.slice(0, 300) });
        };
        const socket = tls
            ? tlsConnect(
                  { host: "127.0.0.1", port, ca: tls.ca, cert: tls.cert, key: tls.key, servername: "localhost" },
                  () => socket.write(bytes),
              )
            : tcpConnect({ host: "127.0.0.1", port }, () => socket.write(bytes));
        const timer = setTimeout(finish, timeoutMs);
        socket.on("data", (d: Buffer) => (received += d.toString("latin1")));
        socket.on("error", (e) => {
            error = e.message;
            finish();
        });
        socket.on("end", finish);
        socket.on("close", finish);
    });
}

/** A request head: request line, headers (in order, as given) and the blank line. */
export function head(method: string, path: string, headers: [string, string][]): string {
    return `${method} ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
}
