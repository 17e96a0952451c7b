/** Helpers for the service tests: an app over real HTTP on a free port, and fixtures. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { AddressInfo } from "node:net";
import { buildApp, type AppOptions, type BuiltApp } from "../../service/http/app";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import type { ClusterRecord } from "../../executors/operation-types";
import { kubeconfig } from "../support/kubeconfig";

export const TOKEN = "test-token-0123456789abcdef";

/** A valid kubeconfig whose token is easy to search for in logs and records. */
export { kubeconfig };

export const USER_SECRET = "user-cluster-token-SECRET-7f3a9c1e5b";
export const SEED_SECRET = "seed-cluster-token-SECRET-2d8e4b6a0c";

/** A minimal valid body. */
export function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        project: "team-a",
        seed: "seed-eu1",
        userKubeconfig: kubeconfig(USER_SECRET),
        seedKubeconfig: kubeconfig(SEED_SECRET),
        gateway: { externalHostnames: ["mla.c1.example.com"] },
        ...overrides,
    };
}

/** A running app and its pieces. */
export interface TestServer extends BuiltApp {
    url: string;
    executor: MemoryExecutor;
    dataDir: string;
    /** Everything pino wrote. */
    logs(): string;
    /** fetch with the bearer token. */
    call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

/** Starts an app on 127.0.0.1:0 over `dataDir` (a new temp dir by default). */
export async function startServer(
    opts: Partial<AppOptions> & { executor?: MemoryExecutor; dataDir?: string } = {},
): Promise<TestServer> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "mla-serve-"));
    const executor = opts.executor ?? new MemoryExecutor();
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
    const built = await buildApp({
        workers: 4,
        queueLimit: 100,
        token: TOKEN,
        shutdownTimeoutMs: 2000,
        ...opts,
        // Captured, at the level asked for (debug by default), unless the caller brings its own stream.
        log: { level: opts.log?.level ?? "debug", stream: opts.log?.stream ?? stream },
        dataDir,
        executor,
    });
    await built.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = built.app.server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    const call = (path: string, init: RequestInit & { json?: unknown } = {}) => {
        const headers = new Headers(init.headers);
        if (!headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
        if (init.json !== undefined) headers.set("content-type", "application/json");
        return fetch(url + path, {
            ...init,
            headers,
            body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
        });
    };
    return { ...built, url, executor, dataDir, logs: () => chunks.join(""), call };
}

/** Removes a temp data dir. */
export function removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
}

/** A cluster record as the registry stores it, `ready` unless `extra` says otherwise. */
export const clusterRecord = (id: string, extra: Partial<ClusterRecord> = {}): ClusterRecord => ({
    id,
    project: "p",
    seed: "s",
    suspended: false,
    status: "ready",
    outputs: {},
    lockCheckPending: false,
    createdAt: "t",
    updatedAt: "t",
    ...extra,
});

/** Closes a test server, if any, and removes its data dir; resolves to undefined, for `server = await stopServer(server)`. */
export async function stopServer(server: TestServer | undefined): Promise<undefined> {
    if (!server) return undefined;
    await server.app.close();
    removeDir(server.dataDir);
    return undefined;
}

/** Polls an operation until it reaches a final state. */
export async function waitForOperation(
    server: TestServer,
    id: string,
    timeoutMs = 5000,
): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const op = (await (await server.call(`/v1/operations/${id}`)).json()) as Record<string, unknown>;
        if (["succeeded", "failed", "interrupted", "cancelled"].includes(op.state as string)) return op;
        if (Date.now() > deadline) throw new Error(`operation ${id} still ${String(op.state)} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

/**
 * Waits until the memory executor has started `n` project-stack calls: an operation's engine runs
 * from its first one (the project stack's up comes before the cluster's).
 */
export async function untilEngineRan(executor: MemoryExecutor, n: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (executor.projectCalls.length < n) {
        if (Date.now() > deadline)
            throw new Error(`${executor.projectCalls.length} engine calls after ${timeoutMs} ms, not ${n}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

/** A promise plus its resolve function, to hold memory-executor calls open. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
}
