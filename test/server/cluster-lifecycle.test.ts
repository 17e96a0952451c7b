import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
    applyRequested,
    canRemoveWithoutEngine,
    destroyRequested,
    LifecycleConflictError,
    operationFinished,
    recoverAfterRestart,
} from "../../service/operations/cluster-lifecycle";
import { lifecycleTableMarkdown, TRANSITIONS } from "../../service/operations/cluster-transitions";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import type { ClusterRecord, ClusterStatus, OperationRecord } from "../../executors/operation-types";
import { body, deferred, startServer, stopServer, type TestServer, waitForOperation } from "./support";

/** The fields of the service's answers the tests read. */
interface Answer {
    operationId: string;
    joined: boolean;
    error: string;
    status: string;
    lastOperation: { id: string };
}

const record = (status: ClusterStatus, extra: Partial<ClusterRecord> = {}): ClusterRecord => ({
    id: "c",
    project: "p",
    seed: "s",
    suspended: false,
    status,
    outputs: {},
    lockCheckPending: false,
    createdAt: "t",
    updatedAt: "t",
    generation: 1,
    ...extra,
});
const op = (
    kind: OperationRecord["kind"],
    generation: number | undefined,
    extra: Partial<OperationRecord> = {},
): OperationRecord => ({
    id: `o-${kind}-${generation}`,
    clusterId: "c",
    kind,
    state: "running",
    createdAt: "t",
    generation,
    ...extra,
});

describe("cluster lifecycle (pure)", () => {
    it("is documented exactly: docs/service-store.md shows the transition table", () => {
        const doc = readFileSync(join(__dirname, "..", "..", "docs", "service-store.md"), "utf8");
        const shown = doc.slice(
            doc.indexOf("<!-- lifecycle-table:start -->\n") + "<!-- lifecycle-table:start -->\n".length,
            doc.indexOf("\n<!-- lifecycle-table:end -->"),
        );
        expect(shown).to.equal(lifecycleTableMarkdown());
    });

    it("follows the table for every finish event of the newest request, from every status it lists", () => {
        const finishes = TRANSITIONS.filter((t) => t.cause === "operation finish");
        for (const t of finishes) {
            const [kind, outcome] = t.event.split(" ") as ["apply" | "destroy", "succeeded" | "failed" | "cancelled"];
            for (const from of t.from) {
                const result = operationFinished(
                    record(from as ClusterStatus),
                    op(kind === "apply" ? "up" : "destroy", 1),
                    outcome,
                    { now: "n" },
                );
                const expected = t.to === "same" ? from : t.to;
                expect(result === "removed" ? "removed" : result?.status, `${t.event} from ${from}`).to.equal(expected);
            }
        }
    });

    it("ignores a finish that is not the newest request: a late `up` cannot overwrite `deleting`", () => {
        expect(
            operationFinished(record("deleting", { generation: 2 }), op("up", 1), "succeeded", { now: "n" }),
        ).to.equal(undefined);
        expect(operationFinished(record("pending", { generation: 3 }), op("up", 2), "failed", { now: "n" })).to.equal(
            undefined,
        );
        // Previews carry no generation and never move the status.
        expect(operationFinished(record("ready"), op("preview", undefined), "failed", { now: "n" })).to.equal(
            undefined,
        );
    });

    it("gives `cancelled`, not `failed`, for a cancelled apply or destroy", () => {
        expect(
            (operationFinished(record("ready"), op("up", 1), "cancelled", { now: "n" }) as ClusterRecord).status,
        ).to.equal("cancelled");
        expect(
            (operationFinished(record("deleting"), op("destroy", 1), "cancelled", { now: "n" }) as ClusterRecord)
                .status,
        ).to.equal("cancelled");
    });

    it("refuses an update or a different DELETE while deleting, with the reason", () => {
        const deleting = record("deleting", { lastOperationId: "o-9" });
        expect(() =>
            applyRequested(deleting, { id: "c", suspended: false, operationId: "x", generation: 2, now: "n" }),
        ).to.throw(
            LifecycleConflictError,
            "cluster c is being deleted (operation o-9); an update is refused until the destroy has finished",
        );
        expect(() => destroyRequested(deleting, { operationId: "x", generation: 2, now: "n" })).to.throw(
            LifecycleConflictError,
        );
        for (const status of ["pending", "ready", "failed", "cancelled", "interrupted"] as const) {
            expect(
                applyRequested(record(status), {
                    id: "c",
                    suspended: false,
                    operationId: "x",
                    generation: 2,
                    now: "n",
                }),
            ).to.include({ status, generation: 2, lastOperationId: "x" });
            expect(destroyRequested(record(status), { operationId: "x", generation: 2, now: "n" })).to.include({
                status: "deleting",
                generation: 2,
            });
        }
        expect(
            applyRequested(undefined, { id: "c", suspended: false, operationId: "x", generation: 1, now: "n" }),
        ).to.include({ status: "pending", stackMayExist: false });
    });

    it("allows removal without the engine only when no operation ever started and none is active", () => {
        expect(
            canRemoveWithoutEngine(record("cancelled", { stackMayExist: false }), [
                op("up", 1, { state: "cancelled" }),
            ]),
        ).to.equal(true);
        expect(
            canRemoveWithoutEngine(record("failed", { stackMayExist: true }), [
                op("up", 1, { state: "failed", startedAt: "t" }),
            ]),
        ).to.equal(false);
        expect(
            canRemoveWithoutEngine(record("pending", { stackMayExist: false }), [op("up", 1, { state: "queued" })]),
        ).to.equal(false);
        // Records from before the flag: any started operation counts.
        expect(canRemoveWithoutEngine(record("failed"), [op("up", 1, { state: "failed", startedAt: "t" })])).to.equal(
            false,
        );
    });

    it("recovers a deleting cluster whose destroy was cut off to `interrupted`, so it can be deleted again", () => {
        const c = record("deleting", { generation: 2 });
        const changed = recoverAfterRestart([op("destroy", 2, { state: "queued" })], () => c, "n");
        expect(changed.clusters.map((x) => [x.status, x.lockCheckPending])).to.deep.equal([["interrupted", false]]);
    });
});

describe("cluster lifecycle over HTTP", () => {
    let server: TestServer | undefined;
    afterEach(async () => (server = await stopServer(server)));

    const put = async (s: TestServer, id: string, b = body()) => {
        const res = await s.call(`/v1/clusters/${id}`, { method: "PUT", json: b });
        return { status: res.status, json: (await res.json()) as Answer };
    };
    const json = async (res: Response | Promise<Response>) => (await (await res).json()) as Answer;

    it("PUT, DELETE, PUT while the destroy runs: the second PUT gets 409, the late `up` does not resurrect the cluster, nothing is orphaned", async () => {
        const gates = new Map<string, ReturnType<typeof deferred>>();
        const gate = (method: string) => {
            if (!gates.has(method)) gates.set(method, deferred());
            return gates.get(method)!.promise;
        };
        server = await startServer({ executor: new MemoryExecutor({ delayMs: 0, gate: (c) => gate(c.method) }) });
        const up = await put(server, "c");
        const del = await server.call("/v1/clusters/c", { method: "DELETE" });
        expect(del.status).to.equal(202);
        const deleteOp = ((await del.json()) as Answer).operationId;
        const again = await put(server, "c", body({ project: "team-b" }));
        expect(again.status).to.equal(409);
        expect(again.json.error).to.equal(
            `cluster c is being deleted (operation ${deleteOp}); an update is refused until the destroy has finished`,
        );
        // The `up` may still be bringing the project stack up (its record is written to disk first).
        gate("up");
        gates.get("up")!.resolve();
        expect((await waitForOperation(server, up.json.operationId)).state).to.equal("succeeded");
        expect((await json(server.call("/v1/clusters/c"))).status).to.equal("deleting");
        expect(server.executor.stacks()).to.deep.equal(["c"]);
        gate("destroy");
        gates.get("destroy")!.resolve();
        expect((await waitForOperation(server, deleteOp)).state).to.equal("succeeded");
        expect((await server.call("/v1/clusters/c")).status).to.equal(404);
        expect(server.executor.stacks()).to.deep.equal([]);
        // The destroy has finished: PUT is accepted again.
        expect((await put(server, "c")).status).to.equal(202);
    });

    it("a cancelled `up` leaves the cluster `cancelled`, not `failed`", async () => {
        server = await startServer({
            executor: new MemoryExecutor({ delayMs: 0, gate: () => new Promise(() => undefined) }),
        });
        const up = await put(server, "c");
        await new Promise((r) => setTimeout(r, 50));
        expect(
            (await server.call(`/v1/operations/${up.json.operationId}/cancel`, { method: "POST" })).status,
        ).to.be.oneOf([200, 202]);
        expect((await waitForOperation(server, up.json.operationId)).state).to.equal("cancelled");
        expect((await json(server.call("/v1/clusters/c"))).status).to.equal("cancelled");
    });

    it("an older operation finishing late does not move the status; joins go only to the newest request", async () => {
        const first = deferred();
        let calls = 0;
        server = await startServer({
            executor: new MemoryExecutor({
                delayMs: 0,
                gate: () => (calls++ === 0 ? first.promise : undefined),
                failWith: (c) => (c.spec?.project === "team-old" ? "boom" : undefined),
            }),
        });
        const a = await put(server, "c", body({ project: "team-old" }));
        await new Promise((r) => setTimeout(r, 30));
        const b = await put(server, "c", body({ project: "team-new" }));
        // The same body as the older, still-active request is a NEW request now: it must run after b.
        const a2 = await put(server, "c", body({ project: "team-old" }));
        expect(a2.json.joined).to.equal(false);
        expect(a2.json.operationId).to.not.equal(a.json.operationId);
        first.resolve();
        expect((await waitForOperation(server, a.json.operationId)).state).to.equal("failed");
        expect((await waitForOperation(server, b.json.operationId)).state).to.equal("succeeded");
        expect((await waitForOperation(server, a2.json.operationId)).state).to.equal("failed");
        const cluster = await json(server.call("/v1/clusters/c"));
        expect([cluster.status, cluster.lastOperation.id]).to.deep.equal(["failed", a2.json.operationId]);
    });

    it("removes a cluster whose first `up` never started without calling the engine", async () => {
        const hold = deferred();
        server = await startServer({
            workers: 1,
            executor: new MemoryExecutor({
                delayMs: 0,
                gate: (c) => (c.clusterId === "busy" ? hold.promise : undefined),
            }),
        });
        await put(server, "busy");
        await new Promise((r) => setTimeout(r, 30));
        const queued = await put(server, "never");
        await server.call(`/v1/operations/${queued.json.operationId}/cancel`, { method: "POST" });
        expect((await waitForOperation(server, queued.json.operationId)).state).to.equal("cancelled");
        expect(server.service.canRemoveWithoutEngine("never")).to.equal(true);
        expect(server.service.canRemoveWithoutEngine("busy")).to.equal(false);
        hold.resolve();
        const del = await json(server.call("/v1/clusters/never", { method: "DELETE" }));
        expect((await waitForOperation(server, del.operationId)).state).to.equal("succeeded");
        expect(server.executor.calls.filter((c) => c.clusterId === "never")).to.deep.equal([]);
        expect((await server.call("/v1/clusters/never")).status).to.equal(404);
    });
});
