/**
 * The reconciler over the in-memory executor and a manual clock: drift is detected on the next
 * tick and shown in the API and /metrics; `remediate` runs one `up` and then reports `inSync`;
 * a certificate inside its renewal window gets exactly one renewal `up`, one outside none.
 */
import { expect } from "chai";
import { body, stopServer, waitForOperation } from "../server/support";
import { REFUSED_RETRY_MS } from "../../service/reconcile/reconciler";
import type { OperationRecord } from "../../executors/operation-types";
import {
    type ClusterJson,
    type DayTwoServer,
    getJson,
    type HealthJson,
    onboard,
    settle,
    startDayTwoServer,
    upsOf,
    waitFor,
} from "./support";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const DRIFT_STEP = {
    op: "update",
    urn: "urn:pulumi:c1::mla::kubernetes:core/v1:ConfigMap::gateway-config",
    type: "kubernetes:core/v1:ConfigMap",
    name: "gateway-config",
    diffs: ["data"],
};

const healthOf = (server: DayTwoServer, id: string) => getJson<HealthJson>(server, `/v1/clusters/${id}/health`);

/** Lets the roster see new clusters, then moves time by `ms` and lets the checks finish. */
async function tick(server: DayTwoServer, ms: number): Promise<void> {
    server.clock.advance(ms);
    await settle(server);
}

describe("reconciler", function () {
    this.timeout(20_000);
    let server: DayTwoServer | undefined;
    afterEach(async () => (server = await stopServer(server)));

    it("detects drift on the next tick and shows it in the cluster, its health and /metrics", async () => {
        server = await startDayTwoServer();
        await onboard(server, "c1", body());
        await tick(server, 60_000); // the roster picks c1 up: first check one interval later
        const before = await healthOf(server, "c1");
        expect(before.parts.drift).to.deep.equal({ state: "ok", reason: "not checked yet" });

        server.executor.setDrift("c1", [DRIFT_STEP]);
        await tick(server, HOUR);
        const checks = server.executor.calls.filter((c) => c.method === "checkDrift");
        expect(checks.map((c) => c.clusterId)).to.deep.equal(["c1"]);

        const health = await healthOf(server, "c1");
        expect(health.reconcile.state).to.equal("drifted");
        expect(health.reconcile.changeSummary).to.deep.equal({ update: 1 });
        expect(health.reconcile.steps).to.deep.equal([DRIFT_STEP]);
        expect(health.reconcile.policy).to.equal("report");
        expect(health.parts.drift.state).to.equal("warning");
        expect(health.parts.drift.reason).to.equal("drifted for 0 s (update 1)");
        const listed = (await getJson<{ clusters: ClusterJson[] }>(server, "/v1/clusters")).clusters[0];
        expect(listed.health.reconcile.state).to.equal("drifted");
        expect(listed.health.parts.drift.state).to.equal("warning");

        const metrics = await (await server.call("/metrics")).text();
        expect(metrics).to.include('mla_cluster_drift{cluster="c1"} 1');
        const checkedAt = server.clock.now() / 1000;
        expect(metrics).to.include(`mla_cluster_last_reconcile_timestamp_seconds{cluster="c1"} ${checkedAt}`);
        expect(metrics).to.include(`mla_cluster_drift_since_timestamp_seconds{cluster="c1"} ${checkedAt}`);
        // report: nothing was applied
        expect(upsOf(server, "c1")).to.equal(1);

        // A day later, still drifted: the health part turns critical and the drift keeps its start.
        await tick(server, DAY);
        const later = await healthOf(server, "c1");
        expect(later.parts.drift.state).to.equal("critical");
        expect(later.reconcile.driftedSince).to.equal(new Date(checkedAt * 1000).toISOString());
        expect(upsOf(server, "c1")).to.equal(1);
    });

    it("keeps what it found across a restart: /metrics at once, the next check one interval after the last", async () => {
        server = await startDayTwoServer();
        await onboard(server, "c1", body());
        await tick(server, 60_000);
        server.executor.setDrift("c1", [DRIFT_STEP]);
        await tick(server, HOUR);
        const checkedAt = server.clock.now();
        const { dataDir, clock } = server;
        await server.app.close();
        server = undefined;

        clock.advance(10 * 60_000);
        server = await startDayTwoServer({ dataDir, clock });
        const metrics = await (await server.call("/metrics")).text();
        expect(metrics).to.include('mla_cluster_drift{cluster="c1"} 1');
        const health = await healthOf(server, "c1");
        expect(health.reconcile.state).to.equal("drifted");
        expect(health.reconcile.nextCheckAt).to.equal(new Date(checkedAt + HOUR).toISOString());
        // The new executor has no drift hook set: the next check finds the cluster converged.
        await tick(server, 60_000);
        expect(server.executor.calls.filter((c) => c.method === "checkDrift")).to.deep.equal([]);
        await tick(server, HOUR);
        expect((await healthOf(server, "c1")).reconcile.state).to.equal("inSync");
    });

    it("remediate (per cluster) runs one up through the operation path, then reports inSync", async () => {
        server = await startDayTwoServer();
        await onboard(server, "c1", body({ reconcilePolicy: "remediate" }));
        await onboard(server, "c2", body());
        await tick(server, 60_000);
        server.executor.setDrift("c1", [DRIFT_STEP]);
        server.executor.setDrift("c2", [{ ...DRIFT_STEP, urn: DRIFT_STEP.urn.replace("c1", "c2") }]);
        await tick(server, HOUR);

        expect(upsOf(server, "c1")).to.equal(2);
        expect(upsOf(server, "c2"), "report policy for c2 (service default)").to.equal(1);
        const c1 = await healthOf(server, "c1");
        expect(c1.reconcile.state).to.equal("inSync");
        expect(c1.reconcile.policy).to.equal("remediate");
        expect(c1.reconcile.lastRemediation?.reason).to.equal("drift");
        // The up is an ordinary operation: record, events, and the cluster's last operation.
        const op = await getJson<OperationRecord>(
            server,
            `/v1/operations/${c1.reconcile.lastRemediation!.operationId}`,
        );
        expect([op.kind, op.state]).to.deep.equal(["up", "succeeded"]);
        expect((await getJson<ClusterJson>(server, "/v1/clusters/c1")).lastOperation!.id).to.equal(op.id);
        const c1Calls = server.executor.calls.filter((c) => c.clusterId === "c1").map((c) => c.method);
        expect(c1Calls).to.deep.equal(["up", "checkDrift", "up", "checkDrift"]);
        expect((await healthOf(server, "c2")).reconcile.state).to.equal("drifted");
        const metrics = await (await server.call("/metrics")).text();
        expect(metrics).to.include('mla_cluster_drift{cluster="c1"} 0');
        expect(metrics).to.include('mla_cluster_drift{cluster="c2"} 1');
        expect(metrics).not.to.include('mla_cluster_drift_since_timestamp_seconds{cluster="c1"}');
    });

    it("a certificate entering its renewal window gets exactly one renewal up; one outside it gets none", async () => {
        server = await startDayTwoServer({ reconcile: { intervalMs: DAY } });
        const start = server.clock.now();
        // earlyRenewalHours 720 (30 days, the default): "soon" enters its window 5 days from now.
        server.executor.setCertificates("soon", {
            ca: start + 3650 * DAY,
            server: start + 35 * DAY,
            metricsAgent: start + 40 * DAY,
        });
        server.executor.setCertificates("later", { ca: start + 3650 * DAY, server: start + 300 * DAY });
        await onboard(server, "soon", body());
        await onboard(server, "later", body());
        await tick(server, 60_000);

        for (let day = 0; day < 4; day++) await tick(server, DAY);
        expect(upsOf(server, "soon"), "still outside the window after 4 days").to.equal(1);
        const outside = await healthOf(server, "soon");
        expect(outside.parts.certificates.state).to.equal("ok");
        expect(outside.parts.certificates.reason).to.equal("first expiry: server in 31 d");

        // Day 5: the check is brought forward to the window's start, not left to the next interval.
        await tick(server, DAY + 60_000);
        expect(upsOf(server, "soon")).to.equal(2);
        const renewed = await healthOf(server, "soon");
        expect(renewed.reconcile.lastRemediation?.reason).to.equal("certificate-renewal");
        const now = server.clock.now();
        expect(Date.parse(renewed.reconcile.certificates!.server)).to.be.greaterThan(now + 300 * DAY);
        expect(Date.parse(renewed.reconcile.certificates!.metricsAgent), "outside its window: kept").to.equal(
            start + 40 * DAY,
        );

        // metricsAgent enters its window on day 10: one more up for it, none again after.
        for (let day = 0; day < 10; day++) await tick(server, DAY);
        expect(upsOf(server, "soon")).to.equal(3);
        expect(upsOf(server, "later")).to.equal(1);
        const metrics = await (await server.call("/metrics")).text();
        expect(metrics).to.include(
            `mla_cluster_certificate_expiry_timestamp_seconds{cluster="later",certificate="server"} ${(start + 300 * DAY) / 1000}`,
        );
    });
    it("renews a certificate in its window even when every drift check fails, and exports its expiry for the alert", async () => {
        server = await startDayTwoServer({ reconcile: { intervalMs: DAY } });
        const start = server.clock.now();
        server.executor.setCertificates("soon", { ca: start + 3650 * DAY, server: start + 35 * DAY });
        // Every drift check fails, from onboarding on (an engine or backend that is down for checks).
        server.executor.checkDrift = async () => {
            throw new Error("backend unreachable");
        };
        await onboard(server, "soon", body());
        await tick(server, 60_000);
        for (let day = 0; day < 6; day++) await tick(server, DAY);
        expect(upsOf(server, "soon"), "the renewal up ran in the window").to.equal(2);
        const health = await healthOf(server, "soon");
        expect(health.reconcile.state).to.equal("error");
        expect(health.reconcile.lastRemediation?.reason).to.equal("certificate-renewal");
        const metrics = await (await server.call("/metrics")).text();
        expect(metrics).to.match(
            /mla_cluster_certificate_expiry_timestamp_seconds\{cluster="soon",certificate="server"\} \d+/,
        );
    });

    it("keeps exporting when the renewal window opened while renewal ups fail, for the overdue alert", async () => {
        let failUps = false;
        server = await startDayTwoServer({
            reconcile: { intervalMs: DAY },
            executor: { failWith: (c) => (failUps && c.method === "up" ? "seed API unreachable" : undefined) },
        });
        const start = server.clock.now();
        server.executor.setCertificates("soon", { ca: start + 3650 * DAY, server: start + 35 * DAY });
        await onboard(server, "soon", body());
        failUps = true;
        await tick(server, 60_000);
        const due = `mla_cluster_certificate_renewal_due_timestamp_seconds{cluster="soon"} ${(start + 5 * DAY) / 1000}`;
        for (let day = 0; day < 8; day++) await tick(server, DAY);
        expect(upsOf(server, "soon"), "a renewal was tried at each daily check in the window").to.be.at.least(3);
        expect(await (await server.call("/metrics")).text()).to.include(due);

        failUps = false;
        await tick(server, DAY);
        const renewed = await (await server.call("/metrics")).text();
        expect(renewed).not.to.include(due);
        const moved = /renewal_due_timestamp_seconds\{cluster="soon"\} (\d+)/.exec(renewed)?.[1];
        expect(Number(moved) * 1000, "the window moved past now").to.be.greaterThan(server.clock.now());
    });

    it("waits before trying again when the service refuses a renewal up (queue full), instead of checking back to back", async () => {
        server = await startDayTwoServer({ reconcile: { intervalMs: DAY } });
        const start = server.clock.now();
        // Enters its renewal window (30 days, the default) 5 days from now.
        server.executor.setCertificates("soon", { ca: start + 3650 * DAY, server: start + 35 * DAY });
        await onboard(server, "soon", body());
        let refused = 0;
        server.service.reapply = async () => {
            refused++;
            throw new Error("queue full");
        };
        const checks = () => server!.executor.calls.filter((c) => c.method === "checkDrift").length;
        await tick(server, 60_000);
        for (let day = 0; day < 5; day++) await tick(server, DAY);
        const [refusedBefore, checksBefore] = [refused, checks()];
        expect(refusedBefore, "the window's first check tried a renewal").to.equal(1);
        for (let minute = 0; minute < 60; minute++) await tick(server, 60_000);
        // Tried again about every REFUSED_RETRY_MS, not back to back.
        const expected = HOUR / REFUSED_RETRY_MS;
        expect(refused - refusedBefore).to.be.within(expected - 1, expected + 1);
        expect(checks() - checksBefore).to.be.within(expected - 1, expected + 1);
        expect(upsOf(server, "soon")).to.equal(1);
    });

    it("aborts a drift check that hangs at its deadline: the lane moves on, its stack waits for the engine", async () => {
        server = await startDayTwoServer({ reconcile: { checkTimeoutMs: 10 * 60_000 } });
        await onboard(server, "a-stuck", body());
        await onboard(server, "b-other", body());
        const real = server.executor.checkDrift.bind(server.executor);
        let stuckSignal: AbortSignal | undefined;
        let engineGone: (e: Error) => void = () => undefined;
        // The engine hangs on "a-stuck", even when told to stop, until the test lets it go.
        server.executor.checkDrift = (request) => {
            if (request.clusterId !== "a-stuck") return real(request);
            stuckSignal = request.signal;
            return new Promise((_, reject) => (engineGone = reject));
        };
        const state = (id: string) => server!.dayTwo.store.get(id)?.state;
        server.clock.advance(60_000);
        server.clock.advance(HOUR);
        await waitFor(() => stuckSignal !== undefined, "the check of a-stuck to start");
        // One background worker: "b-other" (after "a-stuck", in id order) waits behind the hung check.
        server.clock.advance(9 * 60_000);
        await new Promise((r) => setTimeout(r, 50));
        const checked = server.dayTwo.store.get("b-other")?.checkedAt;
        expect(checked, "no check runs past a hung one before its deadline").to.equal(undefined);
        server.clock.advance(60_000);
        await waitFor(() => state("a-stuck") === "error" && state("b-other") === "inSync", "both checks to end");
        expect(stuckSignal?.aborted, "the hung check was told to stop").to.equal(true);
        expect(server.dayTwo.store.get("a-stuck")?.reason).to.match(/did not finish within 600 s/);
        expect(server.scheduler.background.running).to.equal(0);
        expect(server.registry.cluster("a-stuck")?.lockCheckPending).to.equal(true);

        // A user operation on the stack waits for the engine to be gone, then clears its lock first.
        const res = await server.call("/v1/clusters/a-stuck/suspend", { method: "POST" });
        const { operationId } = (await res.json()) as { operationId: string };
        await new Promise((r) => setTimeout(r, 50));
        expect(server.registry.operation(operationId)?.state).to.equal("queued");
        engineGone(new Error("killed"));
        expect((await waitForOperation(server, operationId)).state).to.equal("succeeded");
        const calls = server.executor.calls.filter((c) => c.clusterId === "a-stuck").map((c) => c.method);
        expect(calls.slice(-2)).to.deep.equal(["unlock", "up"]);
    });
});
