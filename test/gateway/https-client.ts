/**
 * A one-shot HTTP(S) client for gateway tests: a fresh connection per request (no agent, so no
 * TLS session or client certificate is reused between cases), and failures returned as data.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { SecureVersion } from "node:tls";

/** What came back: a response, or the error that ended the exchange (TLS alert, reset...). */
export type Outcome =
    | { kind: "response"; status: number; headers: http.IncomingHttpHeaders; body: string }
    | { kind: "error"; message: string };

/** A request to the gateway on 127.0.0.1. */
export interface GatewayRequest {
    port: number;
    path: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** TLS only when set: the CA that signed the server certificate. */
    ca?: string;
    cert?: string;
    key?: string;
    maxVersion?: SecureVersion;
    /** TLS only: the name to verify the server certificate against (and send as SNI). Defaults to the host. */
    servername?: string;
}

/** Sends one request; resolves with the response or the error, never rejects. */
export function send(req: GatewayRequest): Promise<Outcome> {
    return new Promise((resolve) => {
        const options: https.RequestOptions = {
            host: "127.0.0.1",
            port: req.port,
            path: req.path,
            method: req.method ?? "POST",
            headers: {
                ...(req.body !== undefined ? { "content-length": String(Buffer.byteLength(req.body)) } : {}),
                ...req.headers,
            },
            agent: false,
            timeout: 5_000,
        };
        const onResponse = (res: http.IncomingMessage) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (body += d));
            res.on("end", () => resolve({ kind: "response", status: res.statusCode ?? 0, headers: res.headers, body }));
            res.on("error", (e) => resolve({ kind: "error", message: e.message }));
        };
        const request = req.ca
            ? https.request(
                  {
                      ...options,
                      ca: req.ca,
                      cert: req.cert,
                      key: req.key,
                      maxVersion: req.maxVersion,
                      servername: req.servername,
                  },
                  onResponse,
              )
            : http.request(options, onResponse);
        request.on("error", (e) => resolve({ kind: "error", message: e.message }));
        request.on("timeout", () => request.destroy(new Error("timed out")));
        request.end(req.body);
    });
}

/** The status, or 0 for an exchange that ended in an error. */
export function statusOf(outcome: Outcome): number {
    return outcome.kind === "response" ? outcome.status : 0;
}

/** A readable one-liner for assertion messages. */
export function describeOutcome(outcome: Outcome): string {
    return outcome.kind === "response"
        ? `HTTP ${outcome.status} ${outcome.body.slice(0, 120)}`
        : `error: ${outcome.message}`;
}
