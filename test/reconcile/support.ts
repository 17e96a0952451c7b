/** Helpers for the day-two tests: a service over a manual clock and the in-memory executor. */
import type { ClusterHealth } from "../../service/health/cluster-health";
import type { ClusterRecord, OperationRecord } from "../../executors/operation-types";
import type { ReconcileRecord } from "../../service/reconcile/reconcile-store";
import { MemoryExecutor, type MemoryExecutorOptions } from "../../executors/memory/executor-memory";
import type { ReconcilerSettings } from "../../service/reconcile/reconciler";
import { ManualClock } from "../support/manual-clock";
import { startServer, type TestServer, waitForOperation } from "../server/support";

/** A test server whose day-two loops run on `clock`. */
export interface DayTwoServer extends TestServer {
    clock: ManualClock;
}

/** Starts the service with a manual clock, no jitter, a one-hour interval and a one-minute roster unless overridden. */
export async function startDayTwoServer(
    opts: {
        reconcile?: Partial<ReconcilerSettings>;
        executor?: MemoryExecutorOptions;
        workers?: number;
        healthTimeoutMs?: number;
        dataDir?: string;
        clock?: ManualClock;
    } = {},
): Promise<DayTwoServer> {
    const clock = opts.clock ?? new ManualClock();
    const executor = new MemoryExecutor({ delayMs: 2, now: () => clock.now(), ...opts.executor });
    const server = await startServer({
        executor,
        workers: opts.workers ?? 4,
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        dayTwo: {
            clock,
            random: () => 0.5,
            reconcile: { intervalMs: 3600_000, jitter: 0, rosterMs: 60_000, policy: "report", ...opts.reconcile },
            health: { intervalMs: 300_000, timeoutMs: opts.healthTimeoutMs ?? 2000 },
        },
    });
    return { ...server, clock };
}

/** Polls `condition` every 5 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
    }
}

/** Waits until neither lane has anything queued or running (twice in a row, so follow-ups are seen). */
export async function settle(server: TestServer): Promise<void> {
    const idle = () => {
        const bg = server.scheduler.background;
        return (
            bg.queued === 0 &&
            bg.running === 0 &&
            server.scheduler.queuedCount === 0 &&
            server.scheduler.runningCount === 0
        );
    };
    for (let stable = 0; stable < 3;) {
        await new Promise((r) => setTimeout(r, 5));
        stable = idle() ? stable + 1 : 0;
    }
}

/** PUTs `body` for `id` and waits for its operation to succeed. */
export async function onboard(server: TestServer, id: string, body: Record<string, unknown>): Promise<void> {
    const res = await server.call(`/v1/clusters/${id}`, { method: "PUT", json: body });
    if (res.status !== 202) throw new Error(`PUT ${id} answered ${res.status}: ${await res.text()}`);
    const op = await waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
    if (op.state !== "succeeded") throw new Error(`up of ${id} ${String(op.state)}`);
}

/** The `up` calls the executor received for a cluster. */
export function upsOf(server: TestServer, id: string): number {
    return server.executor.calls.filter((c) => c.method === "up" && c.clusterId === id).length;
}

/** `GET /v1/clusters/{id}/health` as the tests read it. */
export type HealthJson = ClusterHealth & { reconcile: ReconcileRecord & { policy?: string } };

/** A cluster of the listing (or `GET /v1/clusters/{id}`) as the tests read it. */
export type ClusterJson = ClusterRecord & { health: HealthJson; lastOperation?: OperationRecord };

/** GETs `path` with the token; fails the test unless it answers 200. */
export async function getJson<T>(server: TestServer, path: string): Promise<T> {
    const res = await server.call(path);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
}
