import type { Static } from "@sinclair/typebox";
import { expect } from "chai";
import type { OperationBody } from "../../service/http/api-schemas";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, deferred, startServer, stopServer, type TestServer, waitForOperation } from "./support";

describe("operation scheduling over HTTP", () => {
    let server: TestServer | undefined;

    afterEach(async () => (server = await stopServer(server)));

    // The answer body: the accepted operation (202), or an error when refused (429, 503).
    type PutAnswer = { operationId: string; joined: boolean; error?: string };
    const put = async (s: TestServer, id: string, b = body()) => {
        const res = await s.call(`/v1/clusters/${id}`, { method: "PUT", json: b });
        return {
            status: res.status,
            retryAfter: res.headers.get("retry-after"),
            json: (await res.json()) as PutAnswer,
        };
    };

    it("joins 20 concurrent identical PUTs for one cluster into one operation", async () => {
        const gate = deferred();
        server = await startServer({ executor: new MemoryExecutor({ delayMs: 0, gate: () => gate.promise }) });
        const answers = await Promise.all(Array.from({ length: 20 }, () => put(server!, "same")));
        gate.resolve();
        expect(answers.map((a) => a.status)).to.deep.equal(Array(20).fill(202));
        const ids = new Set(answers.map((a) => a.json.operationId));
        expect(ids.size).to.equal(1);
        expect(answers.filter((a) => a.json.joined)).to.have.length(19);
        await waitForOperation(server, [...ids][0]);
        expect(server.executor.calls.map((c) => c.method)).to.deep.equal(["up"]);
    });

    it("runs 20 concurrent different PUTs for one cluster one at a time, in order", async () => {
        server = await startServer({ executor: new MemoryExecutor({ delayMs: 10 }) });
        const answers = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
                put(server!, "busy", body({ gateway: { externalHostnames: [`mla.c${i}.example.com`] } })),
            ),
        );
        expect(new Set(answers.map((a) => a.json.operationId)).size).to.equal(20);
        for (const a of answers)
            expect((await waitForOperation(server, a.json.operationId)).state).to.equal("succeeded");
        expect(server.executor.calls).to.have.length(20);
        expect(server.executor.maxPerCluster).to.equal(1);
        const started = answers.map((a) => a.json.operationId);
        const ops = await Promise.all(
            started.map(
                async (id) =>
                    (await (await server!.call(`/v1/operations/${id}`)).json()) as Static<typeof OperationBody>,
            ),
        );
        for (let i = 1; i < ops.length; i++)
            expect(Date.parse(ops[i].startedAt!)).to.be.at.least(Date.parse(ops[i - 1].finishedAt!));
    });

    it("runs PUTs for different clusters in parallel up to the worker count", async () => {
        server = await startServer({ workers: 3, executor: new MemoryExecutor({ delayMs: 150 }) });
        const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => put(server!, `par-${i}`)));
        await Promise.all(answers.map((a) => waitForOperation(server!, a.json.operationId)));
        expect(server.executor.calls).to.have.length(8);
        expect(server.executor.maxConcurrency).to.equal(3);
    });

    it("answers 429 with Retry-After when the queue is full, and accepts again once it drains", async () => {
        const gate = deferred();
        server = await startServer({
            workers: 1,
            queueLimit: 2,
            executor: new MemoryExecutor({ delayMs: 0, gate: () => gate.promise }),
        });
        const first = await put(server, "q-0");
        await new Promise((r) => setTimeout(r, 30)); // q-0 leaves the queue for the only worker
        const queued = [await put(server, "q-1"), await put(server, "q-2")];
        const refused = await put(server, "q-3");
        expect([first, ...queued].map((a) => a.status)).to.deep.equal([202, 202, 202]);
        expect(refused.status).to.equal(429);
        expect(Number(refused.retryAfter)).to.be.at.least(1);
        expect(refused.json.error).to.match(/queue is full/);
        expect(server.registry.operationsOf("q-3")).to.deep.equal([]);
        expect(server.registry.cluster("q-3")).to.equal(undefined);
        expect(await (await server.call("/metrics")).text()).to.include("mla_queue_depth 2");
        gate.resolve();
        await waitForOperation(server, queued[1].json.operationId);
        expect((await put(server, "q-3")).status).to.equal(202);
    });

    it("refuses new operations with 503 during shutdown and marks queued ones cancelled", async () => {
        const gate = deferred();
        server = await startServer({
            workers: 1,
            executor: new MemoryExecutor({ delayMs: 0, gate: () => gate.promise }),
        });
        const running = await put(server, "s-0");
        const queued = await put(server, "s-1");
        await new Promise((r) => setTimeout(r, 30));
        const stuck = await server.scheduler.shutdown(2000);
        expect(stuck).to.deep.equal([]);
        expect(server.registry.operation(running.json.operationId)?.state).to.equal("cancelled");
        expect(server.registry.operation(queued.json.operationId)).to.deep.include({ state: "cancelled" });
        const refused = await put(server, "s-2");
        expect(refused.status).to.equal(503);
        expect(refused.retryAfter).to.equal("10");
    });
});
