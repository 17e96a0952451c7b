/**
 * The in-memory executor's call log: kept by default (the tests read it), kept not at all with
 * `keepCalls: false` (the demo service and the benchmark), which otherwise behaves the same.
 */
import { expect } from "chai";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, removeDir, startServer, waitForOperation } from "./support";

async function onboardAndRemove(executor: MemoryExecutor): Promise<string[]> {
    const server = await startServer({ executor });
    try {
        const states: string[] = [];
        for (const method of ["PUT", "DELETE"]) {
            const res = await server.call("/v1/clusters/c1", { method, ...(method === "PUT" ? { json: body() } : {}) });
            expect(res.status, await res.clone().text()).to.equal(202);
            const op = await waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
            states.push(op.state as string);
            if (method === "PUT") expect(executor.stacks()).to.deep.equal(["c1"]);
        }
        return states;
    } finally {
        await server.app.close();
        removeDir(server.dataDir);
    }
}

describe("in-memory executor: the call log", () => {
    it("keeps every cluster and project call, spec included, by default", async () => {
        const executor = new MemoryExecutor({ delayMs: 1 });
        expect(await onboardAndRemove(executor)).to.deep.equal(["succeeded", "succeeded"]);
        expect(executor.calls.map((c) => c.method)).to.include.members(["up", "destroy"]);
        expect(executor.calls.find((c) => c.method === "up")?.spec?.userKubeconfig).to.be.a("string");
        expect(executor.projectCalls.map((c) => c.method)).to.deep.equal(["upProject", "destroyProject"]);
    });

    it("keeps none with keepCalls: false, and runs the same operations", async () => {
        const executor = new MemoryExecutor({ delayMs: 1, keepCalls: false });
        expect(await onboardAndRemove(executor)).to.deep.equal(["succeeded", "succeeded"]);
        expect(executor.stacks()).to.deep.equal([]);
        expect(executor.maxConcurrency).to.equal(1);
        expect(executor.calls).to.deep.equal([]);
        expect(executor.projectCalls).to.deep.equal([]);
    });
});
