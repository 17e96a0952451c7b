/**
 * A fake Kubernetes API server on 127.0.0.1:0 for the operator executor's tests. It records every
 * request, serves the pulumi.com/v1 discovery document, stores applied Secrets and Stacks, and
 * plays a scripted Pulumi Kubernetes Operator: each GET of a Stack advances its status one step.
 */
import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One recorded request. */
export interface Recorded {
    method: string;
    path: string;
    authorization?: string;
    contentType?: string;
    body: string;
}

/** An answer body (JSON). */
type Obj = Record<string, unknown>;

/** The object metadata the fake reads and writes. */
interface ObjectMeta {
    name?: string;
    generation?: number;
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
    [key: string]: unknown;
}

/** A stored object (a Stack or a Secret) as applied, plus what the fake operator adds. */
interface KubeObject {
    apiVersion?: string;
    kind?: string;
    metadata: ObjectMeta;
    /** A Stack's spec names its stack and config; other kinds' specs are opaque here. */
    spec?: { stack?: string; config?: Record<string, string>; [key: string]: unknown };
    status?: Record<string, unknown>;
    [key: string]: unknown;
}

/** A stored Secret: its values base64-encoded under `data`. */
interface KubeSecret extends KubeObject {
    data: Record<string, string>;
}

/** How the fake operator answers a run. */
export interface FakeOperatorScript {
    /** Stack GETs that show only "Reconciling" before the run's outcome appears. */
    pollsBeforeDone: number;
    /** The outcome of `up` runs. */
    outcome: "succeeded" | "failed";
    outputs?: Record<string, unknown>;
    /** status.message of the failed run's Update object. */
    failureMessage?: string;
    /** Stack GETs after a DELETE before the object disappears. */
    pollsBeforeGone: number;
}

/** The fake server and what it saw. */
export class FakeKubeApi {
    readonly requests: Recorded[] = [];
    readonly secrets = new Map<string, KubeSecret>();
    readonly stacks = new Map<string, KubeObject>();
    /** Serve the pulumi.com/v1 group (false: PKO not installed). */
    crdInstalled = true;
    script: FakeOperatorScript = {
        pollsBeforeDone: 2,
        outcome: "succeeded",
        outputs: { gatewayHostname: "gw.example" },
        pollsBeforeGone: 2,
    };
    private readonly polls = new Map<string, number>();
    private server!: http.Server;
    url = "";

    async start(): Promise<void> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                this.requests.push({
                    method: req.method ?? "",
                    path: req.url ?? "",
                    authorization: req.headers.authorization,
                    contentType: req.headers["content-type"],
                    body,
                });
                const [status, answer] = this.handle(req.method ?? "", new URL(req.url ?? "/", "http://x"), body);
                res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
            });
        });
        this.server.listen(0, "127.0.0.1");
        await once(this.server, "listening");
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise((r) => this.server.close(r));
    }

    private notFound(): [number, Obj] {
        return [404, { kind: "Status", status: "Failure", reason: "NotFound", message: "not found", code: 404 }];
    }

    private handle(method: string, url: URL, body: string): [number, Obj] {
        const path = url.pathname;
        if (path === "/apis/pulumi.com/v1") {
            return this.crdInstalled
                ? [
                      200,
                      {
                          kind: "APIResourceList",
                          groupVersion: "pulumi.com/v1",
                          resources: [{ name: "stacks", kind: "Stack", namespaced: true }],
                      },
                  ]
                : this.notFound();
        }
        let m = /^\/apis\/pulumi\.com\/v1\/namespaces\/([^/]+)\/stacks$/.exec(path);
        if (m && method === "GET") return [200, { kind: "StackList", items: [...this.stacks.values()] }];
        m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(path);
        if (m) return this.secret(method, m[2], body);
        m = /^\/apis\/pulumi\.com\/v1\/namespaces\/([^/]+)\/stacks\/([^/]+)$/.exec(path);
        if (m) return this.stack(method, m[2], body);
        m = /^\/apis\/auto\.pulumi\.com\/v1alpha1\/namespaces\/([^/]+)\/updates\/([^/]+)$/.exec(path);
        if (m && method === "GET")
            return [
                200,
                { kind: "Update", metadata: { name: m[2] }, status: { message: this.script.failureMessage ?? "" } },
            ];
        return this.notFound();
    }

    private secret(method: string, name: string, body: string): [number, Obj] {
        if (method === "PATCH") {
            this.secrets.set(name, JSON.parse(body));
            return [200, this.secrets.get(name)!];
        }
        if (method === "DELETE")
            return this.secrets.delete(name) ? [200, { kind: "Status", status: "Success" }] : this.notFound();
        return this.secrets.has(name) ? [200, this.secrets.get(name)!] : this.notFound();
    }

    private stack(method: string, name: string, body: string): [number, Obj] {
        const existing = this.stacks.get(name);
        if (method === "PATCH") {
            const patch = JSON.parse(body) as Partial<KubeObject>;
            const generation = (existing?.metadata.generation ?? 0) + 1;
            // Apply replaces the object (one manager here); a merge patch only touches spec fields.
            const next = patch.apiVersion
                ? { ...patch, metadata: { ...patch.metadata, generation }, status: existing?.status ?? {} }
                : {
                      ...existing,
                      spec: { ...existing?.spec, ...patch.spec },
                      metadata: { ...existing?.metadata, generation },
                  };
            this.stacks.set(name, next);
            this.polls.set(name, 0);
            return [200, next];
        }
        if (!existing) return this.notFound();
        if (method === "DELETE") {
            existing.metadata.deletionTimestamp = new Date().toISOString();
            this.polls.set(name, 0);
            return [200, existing];
        }
        const polls = (this.polls.get(name) ?? 0) + 1;
        this.polls.set(name, polls);
        if (existing.metadata.deletionTimestamp) {
            if (polls > this.script.pollsBeforeGone) {
                this.stacks.delete(name);
                return this.notFound();
            }
            return [200, existing];
        }
        existing.status = this.advance(existing, polls);
        return [200, existing];
    }

    /** The scripted operator: Reconciling for a few polls, then the run's outcome. */
    private advance(stack: KubeObject, polls: number): Obj {
        const generation = stack.metadata.generation;
        const request = stack.metadata.annotations?.["pulumi.com/reconciliation-request"];
        if (polls <= this.script.pollsBeforeDone) {
            return {
                ...stack.status,
                conditions: [
                    {
                        type: "Ready",
                        status: "False",
                        reason: "NotReadyInProgress",
                        message: "reconciliation is in progress",
                    },
                    {
                        type: "Reconciling",
                        status: "True",
                        reason: "StackProcessing",
                        message: "stack is being processed",
                    },
                ],
            };
        }
        const ok = this.script.outcome === "succeeded";
        return {
            observedGeneration: generation,
            observedReconcileRequest: request,
            outputs: ok ? this.script.outputs : stack.status?.outputs,
            lastUpdate: {
                generation,
                reconcileRequest: request,
                name: `${stack.metadata.name}-update-${generation}`,
                type: "up",
                state: this.script.outcome,
                failures: ok ? 0 : 1,
            },
            conditions: ok
                ? [
                      {
                          type: "Ready",
                          status: "True",
                          reason: "ProcessingCompleted",
                          message: "the stack has been processed and is up to date",
                      },
                  ]
                : [
                      {
                          type: "Ready",
                          status: "False",
                          reason: "NotReadyInProgress",
                          message: "reconciliation is in progress",
                      },
                      {
                          type: "Reconciling",
                          status: "True",
                          reason: "RetryingAfterFailure",
                          message: "1 update failure(s)",
                      },
                  ],
        };
    }
}
