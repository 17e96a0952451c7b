/**
 * Operation history is bounded: a registered cluster keeps its newest finished operations (and
 * every queued or running one, and its last one), a removed cluster's go after the retention
 * period, and a forgotten operation's events go with it, in memory and in the database. The
 * service-level case is the attack: a client cycling suspend and resume on one cluster.
 */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterRecord, OperationRecord } from "../../executors/operation-types";
import Database from "better-sqlite3";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { operationsToForget, type RetentionPolicy } from "../../service/store/operation-history";
import { registryPath } from "../../service/store/registry-schema";
import { waitFor } from "../reconcile/support";
import { Registry } from "../../service/store/registry";
import { readRegistry } from "../../service/store/registry-view";
import {
    body,
    clusterRecord,
    deferred,
    removeDir,
    startServer,
    stopServer,
    type TestServer,
    waitForOperation,
} from "./support";

const DAY = 86_400_000;
const NOW = Date.parse("2030-06-01T00:00:00Z");
const POLICY: RetentionPolicy = { perCluster: 3, withStepsPerCluster: 2, removedForMs: 30 * DAY };

const cluster = (id: string, extra: Partial<ClusterRecord> = {}): ClusterRecord =>
    clusterRecord(id, { stackMayExist: true, ...extra });
const op = (i: number, state: OperationRecord["state"], finishedAt = NOW - DAY): OperationRecord => ({
    id: `o${i}`,
    clusterId: "c",
    kind: "up",
    state,
    createdAt: new Date(finishedAt - 1000).toISOString(),
    ...(state === "queued" || state === "running" ? {} : { finishedAt: new Date(finishedAt).toISOString() }),
});

describe("operation history", function () {
    this.timeout(20_000);

    describe("operationsToForget", () => {
        it("keeps a registered cluster's newest finished operations, its last one and every active one", () => {
            const ops = [op(1, "succeeded"), op(2, "running"), op(3, "failed"), op(4, "succeeded"), op(5, "queued")];
            ops.push(op(6, "cancelled"), op(7, "succeeded"));
            // Finished: 1, 3, 4, 6, 7; the newest three (4, 6, 7) stay, and 1 stays as the last operation.
            expect(operationsToForget(ops, cluster("c", { lastOperationId: "o1" }), NOW, POLICY)).to.deep.equal(["o3"]);
            expect(operationsToForget(ops, cluster("c"), NOW, POLICY)).to.deep.equal(["o1", "o3"]);
        });

        it("keeps a removed cluster's finished operations for the retention period, then forgets them", () => {
            const ops = [op(1, "succeeded", NOW - 31 * DAY), op(2, "succeeded", NOW - 29 * DAY), op(3, "running")];
            expect(operationsToForget(ops, undefined, NOW, POLICY)).to.deep.equal(["o1"]);
        });

        it("keeps at most as many of an id without a cluster (previews of an unregistered id) as of a cluster", () => {
            const ops = [1, 2, 3, 4, 5].map((i) => op(i, "succeeded", NOW - (6 - i) * 60_000));
            expect(operationsToForget(ops, undefined, NOW, POLICY)).to.deep.equal(["o1", "o2"]);
        });

        it("forgets nothing of a record from before stackMayExist: its history says whether the stack exists", () => {
            const ops = [1, 2, 3, 4, 5].map((i) => op(i, "succeeded"));
            expect(operationsToForget(ops, cluster("c", { stackMayExist: undefined }), NOW, POLICY)).to.deep.equal([]);
        });
    });

    describe("the registry", () => {
        let dir: string;
        beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mla-history-"))));
        afterEach(() => removeDir(dir));

        it("forgets a cluster's operations beyond the policy with their events, in memory, on disk and after a reopen", async () => {
            const registry = Registry.open(dir, { retention: POLICY });
            registry.putCluster(cluster("c"));
            for (let i = 1; i <= 6; i++) {
                registry.putOperation(op(i, "running"));
                registry.appendEvent(`o${i}`, 1, JSON.stringify({ seq: 1, message: `event of o${i}` }));
                await registry.durable();
                registry.putOperation(op(i, "succeeded"));
            }
            await registry.durable();
            expect(registry.operationsOf("c").map((o) => o.id)).to.deep.equal(["o4", "o5", "o6"]);
            expect(registry.operation("o1")).to.equal(undefined);
            expect(registry.eventsOf("o1")).to.deep.equal([]);
            expect(registry.eventsOf("o6")).to.have.length(1);
            expect(
                readRegistry(dir)
                    ?.operations.map((o) => o.id)
                    .sort(),
            ).to.deep.equal(["o4", "o5", "o6"]);
            registry.close();

            const reopened = Registry.open(dir, { retention: { ...POLICY, perCluster: 1 } });
            expect(
                reopened.operationsOf("c").map((o) => o.id),
                "trimmed at open to a smaller policy",
            ).to.deep.equal(["o6"]);
            await reopened.durable();
            reopened.close();
            expect(readRegistry(dir)?.operations.map((o) => o.id)).to.deep.equal(["o6"]);
        });

        it("keeps the steps of a cluster's newest operations only; older ones keep their summary", async () => {
            const registry = Registry.open(dir, { retention: POLICY });
            registry.putCluster(cluster("c"));
            const urn = "urn:pulumi:c::mla::kubernetes:core/v1:Namespace::ns";
            const steps = [{ op: "same", urn, type: "kubernetes:core/v1:Namespace", name: "ns", diffs: [] }];
            for (let i = 1; i <= 3; i++)
                registry.putOperation({
                    ...op(i, "succeeded"),
                    kind: "preview",
                    result: { changeSummary: { same: 1 }, steps },
                });
            await registry.durable();
            const stored = () => readRegistry(dir)?.operations.sort((a, b) => a.id.localeCompare(b.id));
            for (const ops of [registry.operationsOf("c"), stored() ?? []])
                expect(ops.map((o) => [o.id, o.result?.steps?.length, o.result?.changeSummary?.same])).to.deep.equal([
                    ["o1", undefined, 1],
                    ["o2", 1, 1],
                    ["o3", 1, 1],
                ]);
            registry.close();
        });

        it("keeps a removed cluster's operations until the period has passed, then forgets them", async () => {
            const registry = Registry.open(dir, { retention: POLICY });
            const yesterday = Date.now() - DAY;
            for (const [i, id] of [
                [1, "gone"],
                [2, "also-gone"],
            ] as const) {
                registry.putCluster(cluster(id));
                registry.putOperation({ ...op(i, "succeeded", yesterday), clusterId: id });
                registry.removeCluster(id);
            }
            expect(registry.operation("o1")?.state, "a day after its finish").to.equal("succeeded");
            expect(registry.operation("o2")?.state).to.equal("succeeded");
            await registry.durable();
            registry.close();

            const later = Registry.open(dir, { retention: { ...POLICY, removedForMs: DAY / 2 } });
            expect([later.operation("o1"), later.operation("o2")]).to.deep.equal([undefined, undefined]);
            await later.durable();
            later.close();
            expect(readRegistry(dir)?.operations).to.deep.equal([]);
        });
    });

    describe("the service", () => {
        let server: TestServer | undefined;
        afterEach(async () => (server = await stopServer(server)));

        it("holds at most the policy's operations of a cluster whose client cycles suspend and resume", async () => {
            server = await startServer({
                retention: { perCluster: 4, withStepsPerCluster: 1, removedForMs: 30 * DAY },
            });
            const ids: string[] = [];
            const accept = async (path: string, init: Parameters<TestServer["call"]>[1]) => {
                const res = await server!.call(path, init);
                expect(res.status, await res.clone().text()).to.equal(202);
                const id = ((await res.json()) as { operationId: string }).operationId;
                ids.push(id);
                expect((await waitForOperation(server!, id)).state).to.equal("succeeded");
            };
            await accept("/v1/clusters/c1", { method: "PUT", json: body() });
            for (let i = 0; i < 5; i++) {
                await accept("/v1/clusters/c1/suspend", { method: "POST" });
                await accept("/v1/clusters/c1/resume", { method: "POST" });
            }
            expect(server.registry.operationsOf("c1").map((o) => o.id)).to.deep.equal(ids.slice(-4));
            expect((await server.call(`/v1/operations/${ids[0]}`)).status).to.equal(404);
            const last = await server.call(`/v1/operations/${ids[ids.length - 1]}/events`);
            expect(last.status).to.equal(200);
        });
    });
});

/** Event rows of operations the database no longer holds. */
function orphanEvents(dataDir: string): unknown[] {
    const db = new Database(registryPath(dataDir), { readonly: true });
    try {
        return db
            .prepare("SELECT operation_id FROM events WHERE operation_id NOT IN (SELECT id FROM operations)")
            .all();
    } finally {
        db.close();
    }
}

describe("operation history: what trimming must never forget", function () {
    this.timeout(20_000);
    let server: TestServer | undefined;
    afterEach(async () => (server = await stopServer(server)));
    const RETAIN: RetentionPolicy = { perCluster: 2, withStepsPerCluster: 1, removedForMs: 30 * DAY };

    it("keeps an operation that finishes after newer ones, and its final events", async () => {
        const hold = deferred();
        let ups = 0;
        const gate = (c: { method: string }) => (c.method === "up" && ++ups === 2 ? hold.promise : undefined);
        server = await startServer({ executor: new MemoryExecutor({ gate }), retention: RETAIN });
        const s = server;
        const accept = async (path: string, init: Parameters<TestServer["call"]>[1]) => {
            const res = await s.call(path, init);
            expect(res.status, await res.clone().text()).to.equal(202);
            return ((await res.json()) as { operationId: string }).operationId;
        };
        const host = (h: string) => body({ gateway: { externalHostnames: [h] } });
        await waitForOperation(s, await accept("/v1/clusters/c1", { method: "PUT", json: body() }));
        const held = await accept("/v1/clusters/c1", { method: "PUT", json: host("mla2.c1.example.com") });
        await waitFor(() => s.registry.operation(held)?.state === "running", "the second up to run");
        // Two newer operations finish (cancelled) while it runs; then it finishes last.
        for (const id of [
            await accept("/v1/clusters/c1/preview", { method: "POST", json: host("mla3.c1.example.com") }),
            await accept("/v1/clusters/c1", { method: "PUT", json: host("mla4.c1.example.com") }),
        ])
            await s.call(`/v1/operations/${id}/cancel`, { method: "POST" });
        hold.resolve();
        expect((await waitForOperation(s, held)).state).to.equal("succeeded");
        await s.registry.durable();
        expect(orphanEvents(s.dataDir)).to.deep.equal([]);
    });

    it("keeps the operations a restart interrupted, whose events are appended after the open", async () => {
        const dataDir = mkdtempSync(join(tmpdir(), "mla-history-"));
        const registry = Registry.open(dataDir);
        registry.putCluster(cluster("c", { lastOperationId: "o4", generation: 4 }));
        registry.putOperation(op(1, "succeeded"));
        registry.putOperation(op(2, "running"));
        registry.putOperation(op(3, "queued"));
        registry.putOperation(op(4, "queued"));
        await registry.durable();
        registry.close();
        server = await startServer({ dataDir, retention: { ...RETAIN, perCluster: 1 } });
        await server.registry.durable();
        expect(orphanEvents(dataDir)).to.deep.equal([]);
        expect(server.registry.operation("o2")?.state).to.equal("interrupted");
    });
});
