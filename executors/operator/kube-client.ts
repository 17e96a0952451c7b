/**
 * A minimal Kubernetes API client over Node's http/https: just the verbs the operator executor
 * needs (GET, server-side apply, DELETE). No client library, so no new dependency; and no kubectl,
 * so nothing runs with the management cluster's credentials on argv.
 */
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { ExecutorError } from "../executor";
import type { KubeConnection } from "./kube-connection";

/** One API answer: the status code and the parsed JSON body (undefined when not JSON). */
export interface KubeResponse {
    status: number;
    body: Record<string, unknown> | undefined;
}

/** The field manager every apply uses, so the service owns exactly the fields it sets. */
export const FIELD_MANAGER = "mla";

const REQUEST_TIMEOUT_MS = 30_000;

/** Calls the API server described by a {@link KubeConnection}. */
export class KubeClient {
    private readonly agent: http.Agent;

    constructor(private readonly connection: KubeConnection) {
        const { ca, cert, key, insecure } = connection;
        this.agent = connection.server.startsWith("https:")
            ? new https.Agent({ ca, cert, key, rejectUnauthorized: !insecure, keepAlive: true })
            : new http.Agent({ keepAlive: true });
    }

    private token(): string | undefined {
        const { token, tokenFile } = this.connection;
        return token ?? (tokenFile ? readFileSync(tokenFile, "utf8").trim() : undefined);
    }

    /** Sends one request; rejects only when the server cannot be reached (ExecutorError "kube-unreachable"). */
    request(
        method: string,
        path: string,
        opts: { body?: unknown; contentType?: string; signal?: AbortSignal } = {},
    ): Promise<KubeResponse> {
        const url = new URL(this.connection.server + path);
        const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
        const headers: Record<string, string> = { accept: "application/json" };
        const token = this.token();
        if (token) headers.authorization = `Bearer ${token}`;
        if (payload) {
            headers["content-type"] = opts.contentType ?? "application/json";
            headers["content-length"] = String(payload.length);
        }
        const lib = url.protocol === "https:" ? https : http;
        return new Promise((resolve, reject) => {
            const req = lib.request(
                url,
                { method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS, signal: opts.signal },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("error", reject);
                    res.on("end", () => {
                        let body: Record<string, unknown> | undefined;
                        try {
                            body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
                        } catch {
                            body = undefined;
                        }
                        resolve({ status: res.statusCode ?? 0, body });
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error("timed out")));
            req.on("error", (e: NodeJS.ErrnoException) => {
                if (opts.signal?.aborted) reject(new ExecutorError("cancelled", "cancelled"));
                // The host and the errno only: never the request, which may carry a Secret.
                else
                    reject(
                        new ExecutorError(
                            "kube-unreachable",
                            `cannot reach the Kubernetes API at ${url.host} (${e.code ?? e.message})`,
                        ),
                    );
            });
            req.end(payload);
        });
    }

    /** GET; undefined on 404. */
    async get(path: string, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
        const res = await this.request("GET", path, { signal });
        if (res.status === 404) return undefined;
        return expectOk(res, `GET ${path}`);
    }

    /** Server-side apply of `object` at `path` (field manager "mla", taking over conflicting fields). */
    async apply(path: string, object: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
        // JSON is YAML, so the apply-patch+yaml content type takes the JSON text as is.
        const res = await this.request("PATCH", `${path}?fieldManager=${FIELD_MANAGER}&force=true`, {
            body: object,
            contentType: "application/apply-patch+yaml",
            signal,
        });
        return expectOk(res, `apply ${path}`);
    }

    /** JSON merge patch of `patch` at `path` (for one field, without taking ownership of the rest). */
    async mergePatch(
        path: string,
        patch: Record<string, unknown>,
        signal?: AbortSignal,
    ): Promise<Record<string, unknown>> {
        const res = await this.request("PATCH", `${path}?fieldManager=${FIELD_MANAGER}`, {
            body: patch,
            contentType: "application/merge-patch+json",
            signal,
        });
        return expectOk(res, `patch ${path}`);
    }

    /** DELETE (foreground, so the object stays visible until its finalizers ran); false on 404. */
    async delete(path: string, signal?: AbortSignal): Promise<boolean> {
        const res = await this.request("DELETE", path, {
            body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" },
            signal,
        });
        if (res.status === 404) return false;
        expectOk(res, `DELETE ${path}`);
        return true;
    }

    /** Closes idle keep-alive connections. */
    close(): void {
        this.agent.destroy();
    }
}

/** The body of a 2xx answer; otherwise an ExecutorError quoting the API's Status message (never the request). */
export function expectOk(res: KubeResponse, what: string): Record<string, unknown> {
    if (res.status >= 200 && res.status < 300) return res.body ?? {};
    const message = typeof res.body?.message === "string" ? `: ${res.body.message.slice(0, 500)}` : "";
    const code =
        res.status === 401 || res.status === 403
            ? "kube-forbidden"
            : res.status === 409
              ? "concurrent-update"
              : "kube-error";
    throw new ExecutorError(code, `${what} answered ${res.status}${message}`);
}
