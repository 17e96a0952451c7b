/**
 * A raw HTTP/1.1 client over node:net: the request target goes on the wire exactly as given,
 * so nothing (URL parsing, dot-segment removal, case folding) is normalised on the client side.
 */
import { connect } from "node:net";

/** One raw request. */
export interface RawRequest {
    method: string;
    target: string;
    headers?: Record<string, string>;
    body?: string;
}

/** The status line's code, the headers (lower-case names) and the body text. */
export interface RawResponse {
    status: number;
    headers: Record<string, string>;
    body: string;
}

/** Sends `request` to 127.0.0.1:`port` on a fresh connection; fails after `timeoutMs`. */
export function rawRequest(port: number, request: RawRequest, timeoutMs = 5000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
        const body = Buffer.from(request.body ?? "", "utf8");
        const headers: Record<string, string> = {
            host: `127.0.0.1:${port}`,
            connection: "close",
            "content-length": String(body.length),
            ...request.headers,
        };
        const head = `${request.method} ${request.target} HTTP/1.1\r\n${Object.entries(headers)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join("")}\r\n`;
        const socket = connect(port, "127.0.0.1", () => socket.end(Buffer.concat([Buffer.from(head, "latin1"), body])));
        const chunks: Buffer[] = [];
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`${request.method} ${request.target}: no complete answer within ${timeoutMs} ms`));
        }, timeoutMs);
        socket.on("data", (c: Buffer) => chunks.push(c));
        socket.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        socket.on("close", () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString("utf8");
            const [headText, ...rest] = text.split("\r\n\r\n");
            const [statusLine, ...headerLines] = headText.split("\r\n");
            const status = Number(/^HTTP\/1\.[01] ([0-9]{3})/.exec(statusLine)?.[1]);
            if (!Number.isInteger(status))
                return reject(
                    new Error(
                        `${request.method} ${request.target}: no status line in ${JSON.stringify(text.slice(0, 200))}`,
                    ),
                );
            const parsed = Object.fromEntries(
                headerLines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
            );
            resolve({ status, headers: parsed, body: rest.join("\r\n\r\n") });
        });
    });
}
