import type { Static } from "@sinclair/typebox";
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterList, ClusterResponse, OperationBody } from "../../service/http/api-schemas";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, removeDir, startServer, type TestServer, USER_SECRET, waitForOperation } from "./support";

describe("restart over the same data dir", () => {
    const servers: TestServer[] = [];

    after(async () => {
        for (const s of servers) await s.app.close().catch(() => undefined);
        removeDir(servers[0].dataDir);
    });

    it("keeps clusters, marks the running operation interrupted, and clears the stack's lock before its next operation", async () => {
        // The first instance never finishes "stuck": it is killed mid-operation.
        const first = await startServer({
            executor: new MemoryExecutor({
                delayMs: 0,
                gate: (c) => (c.clusterId === "stuck" ? new Promise(() => undefined) : undefined),
            }),
        });
        servers.push(first);
        const done = (await (await first.call("/v1/clusters/done", { method: "PUT", json: body() })).json()) as {
            operationId: string;
        };
        await waitForOperation(first, done.operationId);
        const stuck = (await (await first.call("/v1/clusters/stuck", { method: "PUT", json: body() })).json()) as {
            operationId: string;
        };
        await new Promise((r) => setTimeout(r, 50));
        expect(first.registry.operation(stuck.operationId)?.state).to.equal("running");
        // A crash: the process stops serving without shutting the scheduler down.
        first.app.server.close();
        first.app.server.closeAllConnections();
        first.registry.abandon(); // closes the database and frees the data dir's lock, as the dead process would

        const second = await startServer({ dataDir: first.dataDir });
        servers.push(second);
        const clusters = (await (await second.call("/v1/clusters")).json()) as Static<typeof ClusterList>;
        expect(clusters.clusters.map((c) => [c.id, c.status, c.lockCheckPending])).to.deep.equal([
            ["done", "ready", false],
            ["stuck", "interrupted", true],
        ]);
        expect(clusters.clusters[0].outputs).to.deep.equal({
            gatewayHostname: "done.gateway.example",
            namespace: "cluster-done",
        });
        const op = (await (await second.call(`/v1/operations/${stuck.operationId}`)).json()) as Static<
            typeof OperationBody
        >;
        expect(op.state).to.equal("interrupted");
        expect(op.error?.code).to.equal("interrupted");
        expect(second.logs()).to.include("operation interrupted by a restart");

        // Suspend works from the encrypted stored spec, after the lock is cleared.
        const suspend = (await (await second.call("/v1/clusters/stuck/suspend", { method: "POST" })).json()) as {
            operationId: string;
        };
        expect((await waitForOperation(second, suspend.operationId)).state).to.equal("succeeded");
        expect(second.executor.calls.map((c) => `${c.method} ${c.clusterId}`)).to.deep.equal([
            "unlock stuck",
            "up stuck",
        ]);
        expect(second.executor.calls[1].spec?.userKubeconfig).to.include(USER_SECRET);
        expect(
            ((await (await second.call("/v1/clusters/stuck")).json()) as Static<typeof ClusterResponse>)
                .lockCheckPending,
        ).to.equal(false);
        // The stored spec is encrypted: the kubeconfig is not readable in the data dir.
        for (const file of ["registry.db", "registry.db-wal"]) {
            const path = join(first.dataDir, "registry", file);
            if (existsSync(path)) expect(readFileSync(path, "latin1")).to.not.include(USER_SECRET);
        }
        expect(second.registry.sealedSpec("stuck")).to.be.a("string").and.not.include(USER_SECRET);
    });
});
