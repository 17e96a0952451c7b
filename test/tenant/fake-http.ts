/**
 * A local HTTP server that records every request and answers from a handler: stands in for the
 * Grafana, Cortex and Loki endpoints the dynamic providers call. Listens on a free loopback port.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the server saw it. */
export interface RecordedCall {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: IncomingMessage["headers"];
    body: string;
}

/** What the handler returns: status and an optional JSON body. */
export interface FakeReply {
    status: number;
    json?: unknown;
}

/** A started fake server. */
export interface FakeServer {
    url: string;
    calls: RecordedCall[];
    close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 with an OS-chosen port. */
export async function startFakeServer(handler: (call: RecordedCall) => FakeReply): Promise<FakeServer> {
    const calls: RecordedCall[] = [];
    const server: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://localhost");
            const call: RecordedCall = {
                method: req.method ?? "GET",
                path: url.pathname,
                query: Object.fromEntries(url.searchParams),
                headers: req.headers,
                body: Buffer.concat(chunks).toString("utf8"),
            };
            calls.push(call);
            const reply = handler(call);
            res.writeHead(reply.status, { "content-type": "application/json" });
            res.end(reply.json === undefined ? "" : JSON.stringify(reply.json));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        calls,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
