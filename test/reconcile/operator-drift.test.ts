/**
 * The operator executor's day two, against the fake Kubernetes API: the Stack asks PKO to
 * resync (refresh and re-apply) on the reconcile interval even without a new commit, and the
 * reconciler maps the Stack's status into the same fields as the other executors: converged
 * with the certificate expiries from the status outputs, or an error naming the failed run.
 */
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toClusterSpec } from "../../service/operations/cluster-request";
import { ExecutorError, type ExecutorRequest } from "../../executors/executor";
import { OperatorExecutor } from "../../executors/operator/executor-operator";
import { loadKubeConnection } from "../../executors/operator/kube-connection";
import { loadServiceConfig } from "../../service/env";
import { FakeKubeApi } from "../server/fake-kube-api";
import { body, removeDir, startServer, type TestServer, waitForOperation } from "../server/support";
import { ManualClock } from "../support/manual-clock";
import { getJson, type HealthJson, settle } from "./support";

const NS = "fleet";
const STACK_PATH = `/apis/pulumi.com/v1/namespaces/${NS}/stacks/mla-cluster-c1`;
const NOT_AFTER = { ca: "2040-01-01T00:00:00.000Z", server: "2031-01-01T00:00:00.000Z" };

describe("operator executor: resync and status as drift and health", function () {
    this.timeout(20_000);
    let dir: string;
    let api: FakeKubeApi;
    let executor: OperatorExecutor;
    const request = (): ExecutorRequest => ({
        clusterId: "c1",
        spec: toClusterSpec("c1", body() as never, body().seedKubeconfig as string),
        signal: new AbortController().signal,
        onEvent: () => undefined,
    });

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "mla-operator-drift-"));
        api = new FakeKubeApi();
        await api.start();
        const kubeconfig = join(dir, "mgmt.yaml");
        writeFileSync(
            kubeconfig,
            [
                "apiVersion: v1",
                "kind: Config",
                `clusters: [{name: m, cluster: {server: ${api.url}}}]`,
                "users: [{name: svc, user: {token: mgmt-token}}]",
                "contexts: [{name: m, context: {cluster: m, user: svc}}]",
                "current-context: m",
                "",
            ].join("\n"),
        );
        executor = new OperatorExecutor({
            connection: loadKubeConnection(kubeconfig, {}),
            settings: {
                namespace: NS,
                repo: "https://git.example/mla.git",
                ref: "main",
                backend: "s3://state/mla",
                resyncSeconds: 900,
            },
            env: { PULUMI_CONFIG_PASSPHRASE: "pass" },
            pollMs: { initial: 2, max: 5 },
        });
    });

    beforeEach(() => {
        api.requests.length = 0;
        api.script = {
            pollsBeforeDone: 1,
            outcome: "succeeded",
            outputs: { certificateNotAfter: NOT_AFTER, gatewayReadToken: "[secret]" },
            pollsBeforeGone: 1,
        };
    });

    after(async () => {
        executor?.close();
        await api?.stop();
        removeDir(dir);
    });

    it("asks PKO to refresh and re-apply every resync period even when the commit is unchanged", async () => {
        await executor.up(request());
        const stack = api.stacks.get("mla-cluster-c1") as { spec: Record<string, unknown> };
        expect([
            stack.spec.refresh,
            stack.spec.resyncFrequencySeconds,
            stack.spec.continueResyncOnCommitMatch,
        ]).to.deep.equal([true, 900, true]);
    });

    it("takes the resync period from MLA_RECONCILE_INTERVAL", () => {
        const config = loadServiceConfig({
            MLA_EXECUTOR: "operator",
            MLA_OPERATOR_REPO: "https://git.example/mla.git",
            MLA_RECONCILE_INTERVAL: "7200",
        });
        expect(config.reconcile.intervalMs).to.equal(7_200_000);
    });

    it("reports a succeeded last run as converged by the operator, with the status outputs (secrets masked)", async () => {
        await executor.up(request());
        const drift = await executor.checkDrift(request());
        expect(drift.changeSummary).to.deep.equal({});
        expect(drift.steps).to.deep.equal([]);
        expect(drift.selfHealing).to.equal(true);
        expect(drift.detail).to.equal("the operator's last up succeeded; it re-applies the stack every resync");
        expect(drift.outputs?.certificateNotAfter).to.deep.equal({ value: NOT_AFTER, secret: false });
        expect(drift.outputs?.gatewayReadToken).to.deep.equal({ value: undefined, secret: true });
        // A check only reads: no apply, no delete.
        expect(api.requests.filter((r) => r.path.split("?")[0] === STACK_PATH && r.method !== "GET").length).to.equal(
            1,
        );
    });

    it("turns a failed resync into an engine failure naming the run", async () => {
        await executor.up(request());
        api.script.outcome = "failed";
        api.script.failureMessage = "kubernetes:apps/v1:Deployment gateway: timeout";
        const error = await executor.checkDrift(request()).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(ExecutorError);
        expect((error as ExecutorError).code).to.equal("engine-failed");
        expect((error as ExecutorError).message).to.equal("the operator's last up failed (1 failure(s) in a row)");
    });

    describe("through the reconciler", () => {
        let server: TestServer | undefined;
        afterEach(async () => {
            if (server) {
                await server.app.close();
                removeDir(server.dataDir);
            }
            server = undefined;
        });

        it("records the operator's status in the cluster's drift and certificate fields, and never runs a remediating up", async () => {
            const clock = new ManualClock(Date.parse("2030-06-01T00:00:00Z"));
            server = await startServer({
                executor: executor as never,
                dayTwo: {
                    clock,
                    reconcile: { intervalMs: 3600_000, jitter: 0, rosterMs: 60_000, policy: "remediate" },
                    health: { intervalMs: 300_000, timeoutMs: 500 },
                },
            });
            const put = await server.call("/v1/clusters/c1", { method: "PUT", json: body() });
            expect(
                (await waitForOperation(server, ((await put.json()) as { operationId: string }).operationId)).state,
            ).to.equal("succeeded");
            clock.advance(60_000);
            clock.advance(3600_000);
            await settle(server);
            const health = await getJson<HealthJson>(server, "/v1/clusters/c1/health");
            expect(health.reconcile.state).to.equal("inSync");
            expect(health.reconcile.selfHealing).to.equal(true);
            expect(health.reconcile.certificates).to.deep.equal(NOT_AFTER);
            expect(health.parts.certificates).to.deep.equal({
                state: "ok",
                reason: "first expiry: server in 214 d",
                at: NOT_AFTER.server,
            });

            api.script.outcome = "failed";
            clock.advance(3600_000);
            await settle(server);
            const failed = await getJson<HealthJson>(server, "/v1/clusters/c1/health");
            expect(failed.reconcile.state).to.equal("error");
            expect(failed.parts.drift).to.deep.equal({
                state: "warning",
                reason: "the last check failed: the operator's last up failed (1 failure(s) in a row)",
            });
            const applies = api.requests.filter((r) => r.method === "PATCH" && r.path.split("?")[0] === STACK_PATH);
            expect(applies.length, "only the PUT applied the Stack").to.equal(1);
        });
    });
});
