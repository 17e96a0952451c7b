/**
 * Every event stream of a finished operation ends with its final `state` event: after a restart
 * that interrupted it, and after a cancel.
 */
import { expect } from "chai";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, removeDir, startServer, TOKEN, type TestServer, waitForOperation } from "./support";

/** The parsed `data` of every SSE frame, to the end of the stream. */
async function streamed(
    server: TestServer,
    operationId: string,
): Promise<Array<{ seq: number; type: string; data?: { state?: string } }>> {
    const res = await fetch(`${server.url}/v1/operations/${operationId}/events`, {
        headers: { authorization: `Bearer ${TOKEN}` },
    });
    const text = await res.text();
    return text
        .split("\n\n")
        .filter((f) => f.startsWith("id:"))
        .map((f) =>
            JSON.parse(
                f
                    .split("\n")
                    .find((l) => l.startsWith("data: "))!
                    .slice(6),
            ),
        );
}

/** The operation id of an accepted request. */
async function operationIdOf(response: Response | Promise<Response>): Promise<string> {
    return ((await (await response).json()) as { operationId: string }).operationId;
}

describe("the end of an operation's event stream", function () {
    this.timeout(20_000);
    const servers: TestServer[] = [];

    after(async () => {
        for (const s of servers) await s.app.close().catch(() => undefined);
        removeDir(servers[0].dataDir);
    });

    it("is the final `interrupted` state event after a restart cut the operation off, replayed the same way each time", async () => {
        const first = await startServer({
            executor: new MemoryExecutor({ delayMs: 0, gate: () => new Promise(() => undefined) }),
        });
        servers.push(first);
        const operationId = await operationIdOf(first.call("/v1/clusters/cut", { method: "PUT", json: body() }));
        await new Promise((r) => setTimeout(r, 50));
        expect(first.registry.operation(operationId)?.state).to.equal("running");
        first.app.server.close();
        first.app.server.closeAllConnections();
        first.registry.abandon();

        const second = await startServer({ dataDir: first.dataDir });
        servers.push(second);
        const events = await streamed(second, operationId);
        expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1));
        expect(events.at(-1)).to.deep.include({ type: "state", data: { state: "interrupted" } });
        // Whether "running" made it to disk before the crash depends on timing; the ends do not.
        const states = events.filter((e) => e.type === "state").map((e) => e.data?.state);
        expect(states[0]).to.equal("queued");
        expect(states.filter((s) => s === "interrupted")).to.have.length(1);
        expect(await streamed(second, operationId)).to.deep.equal(events);
    });

    it("is the final `cancelled` state event after a cancelled `up`, and the operation says cancelled", async () => {
        const server = await startServer({ executor: new MemoryExecutor({ delayMs: 10_000 }) });
        servers.push(server);
        const operationId = await operationIdOf(server.call("/v1/clusters/c1", { method: "PUT", json: body() }));
        await new Promise((r) => setTimeout(r, 50));
        const live = streamed(server, operationId);
        expect((await server.call(`/v1/operations/${operationId}/cancel`, { method: "POST" })).status).to.equal(202);
        expect(await waitForOperation(server, operationId)).to.deep.include({ state: "cancelled" });
        const events = await live;
        expect(events.at(-1)).to.deep.include({ type: "state", data: { state: "cancelled" } });
        expect(events.map((e) => e.data?.state).filter((s) => s === "failed")).to.deep.equal([]);
    });
});
