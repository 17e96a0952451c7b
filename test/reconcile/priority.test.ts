/**
 * Reconciles never delay user requests: they run on the scheduler's background lane, with their
 * own budget, and a queued user operation of a cluster pre-empts that cluster's queued check.
 */
import { expect } from "chai";
import { body, deferred, stopServer, waitForOperation } from "../server/support";
import { type DayTwoServer, onboard, settle, startDayTwoServer, waitFor } from "./support";

const CLUSTERS = Array.from({ length: 50 }, (_, i) => `c${i}`);

describe("reconcile priority", function () {
    this.timeout(30_000);
    let server: DayTwoServer | undefined;
    afterEach(async () => (server = await stopServer(server)));

    it("a burst of 50 user PUTs is never queued behind reconciles", async () => {
        const hold = deferred();
        let holding = true;
        server = await startDayTwoServer({
            workers: 4,
            executor: { gate: (call) => (call.method === "checkDrift" && holding ? hold.promise : undefined) },
        });
        await Promise.all(CLUSTERS.map((id) => onboard(server!, id, body())));
        server.clock.advance(60_000); // roster: every cluster's first check one interval later
        server.clock.advance(3600_000); // all 50 checks come due at once
        await waitFor(
            () => server!.scheduler.background.running === 1 && server!.scheduler.background.queued === 49,
            "50 checks on the background lane",
        );
        const held = server.executor.calls.filter((c) => c.method === "checkDrift").map((c) => c.clusterId);
        expect(held).to.deep.equal(["c0"]);

        const burstStart = server.executor.calls.length;
        const accepted = await Promise.all(
            CLUSTERS.map(async (id) => {
                const res = await server!.call(`/v1/clusters/${id}`, {
                    method: "PUT",
                    json: body({ suspended: false, gateway: { externalHostnames: [`mla.${id}.example.com`] } }),
                });
                expect(res.status).to.equal(202);
                return { id, operationId: ((await res.json()) as { operationId: string }).operationId };
            }),
        );
        // Every PUT but c0's finishes while the reconciles are still stuck: none waited for them.
        for (const { id, operationId } of accepted.slice(1))
            expect((await waitForOperation(server, operationId)).state, id).to.equal("succeeded");
        const c0 = (await (await server.call(`/v1/operations/${accepted[0].operationId}`)).json()) as { state: string };
        expect(c0.state, "c0's PUT waits only for the check holding c0's lock").to.equal("queued");
        const during = server.executor.calls.slice(burstStart);
        expect(during.filter((c) => c.method === "checkDrift")).to.deep.equal([]);
        expect(during.filter((c) => c.method === "up").length).to.equal(49);

        holding = false;
        hold.resolve();
        expect((await waitForOperation(server, accepted[0].operationId)).state).to.equal("succeeded");
        await settle(server);
        // Each cluster's queued check yielded to its queued PUT: the PUT's up came first (c0's
        // check had started before the burst).
        const after = server.executor.calls.slice(burstStart);
        for (const id of CLUSTERS) {
            const methods = after.filter((c) => c.clusterId === id).map((c) => c.method);
            expect(methods, id).to.deep.equal(id === "c0" ? ["up"] : ["up", "checkDrift"]);
        }
        expect(server.executor.maxConcurrency, "4 user workers + 1 background").to.be.at.most(5);
    });
});
