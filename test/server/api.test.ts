import { expect } from "chai";
import type { PreviewResult } from "../../executors/executor";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import {
    body,
    kubeconfig,
    removeDir,
    startServer,
    TOKEN,
    type TestServer,
    untilEngineRan,
    waitForOperation,
} from "./support";

describe("onboarding API over HTTP", () => {
    let server: TestServer;

    beforeEach(async () => {
        server = await startServer();
    });

    afterEach(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    it("answers PUT with 202, an operation id and a Location, then runs up", async () => {
        const res = await server.call("/v1/clusters/c1", { method: "PUT", json: body() });
        expect(res.status).to.equal(202);
        const accepted = (await res.json()) as { operationId: string; joined: boolean };
        expect(accepted.operationId).to.match(/^[0-9a-f-]{36}$/);
        expect(accepted.joined).to.equal(false);
        expect(res.headers.get("location")).to.equal(`/v1/operations/${accepted.operationId}`);
        const op = await waitForOperation(server, accepted.operationId);
        expect(op).to.include({ state: "succeeded", kind: "up", clusterId: "c1" });
        expect(server.executor.calls.map((c) => `${c.method} ${c.clusterId}`)).to.deep.equal(["up c1"]);
        expect(server.executor.calls[0].spec).to.include({
            clusterId: "c1",
            project: "team-a",
            seedStack: "seed-eu1",
            suspended: false,
        });
    });

    it("reads the seed kubeconfig from <dataDir>/seeds/<seed, / as __>.yaml when the body has none", async () => {
        const { mkdirSync, writeFileSync } = await import("node:fs");
        mkdirSync(`${server.dataDir}/seeds`);
        // Another organization's seed of the same short name must not be picked up.
        writeFileSync(`${server.dataDir}/seeds/seed-eu1.yaml`, kubeconfig("other-orgs-seed-token-99"));
        writeFileSync(`${server.dataDir}/seeds/org__mla__seed-eu1.yaml`, kubeconfig("seed-from-file-token-0123"));
        const res = await server.call("/v1/clusters/c6", {
            method: "PUT",
            json: body({ seed: "org/mla/seed-eu1", seedKubeconfig: undefined }),
        });
        expect(res.status).to.equal(202);
        await waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
        expect(server.executor.calls[0].spec?.seedKubeconfig).to.equal(kubeconfig("seed-from-file-token-0123"));
    });

    it("shows a cluster's status, last operation and only its non-secret outputs", async () => {
        const { operationId } = (await (
            await server.call("/v1/clusters/c1", { method: "PUT", json: body() })
        ).json()) as { operationId: string };
        await waitForOperation(server, operationId);
        const cluster = (await (await server.call("/v1/clusters/c1")).json()) as Record<string, unknown>;
        expect(cluster).to.include({
            id: "c1",
            project: "team-a",
            seed: "seed-eu1",
            status: "ready",
            suspended: false,
        });
        expect(cluster.outputs).to.deep.equal({ gatewayHostname: "c1.gateway.example", namespace: "cluster-c1" });
        expect(cluster.lastOperation).to.include({ id: operationId, state: "succeeded" });
        const text = JSON.stringify(await (await server.call("/v1/clusters")).json());
        expect(text).to.not.include("fake-key-of-c1").and.to.not.include("SECRET");
    });

    it("previews with a change summary and per-resource steps without creating the cluster", async () => {
        const res = await server.call("/v1/clusters/c2/preview", { method: "POST", json: body() });
        expect(res.status).to.equal(202);
        const op = await waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
        expect(op.kind).to.equal("preview");
        expect((op.result as PreviewResult).changeSummary).to.deep.equal({ create: 4 });
        expect((op.result as PreviewResult).steps[2]).to.deep.equal({
            op: "create",
            urn: "urn:pulumi:c2::mla::kubernetes:apps/v1:Deployment::gateway",
            type: "kubernetes:apps/v1:Deployment",
            name: "gateway",
            diffs: [],
        });
        expect((await server.call("/v1/clusters/c2")).status).to.equal(404);
        // Nothing left behind: no cluster entry, no stack in the executor, no workspace.
        expect(server.registry.cluster("c2")).to.equal(undefined);
        expect(server.executor.stacks()).to.not.include("c2");
        const { existsSync } = await import("node:fs");
        expect(existsSync(`${server.dataDir}/workspaces/c2`)).to.equal(false);
    });

    it("suspends and resumes from the stored spec, then deletes with purge and forgets the cluster", async () => {
        await waitForOperation(
            server,
            (
                (await (await server.call("/v1/clusters/c3", { method: "PUT", json: body() })).json()) as {
                    operationId: string;
                }
            ).operationId,
        );
        const suspend = (await (await server.call("/v1/clusters/c3/suspend", { method: "POST" })).json()) as {
            operationId: string;
        };
        expect((await waitForOperation(server, suspend.operationId)).kind).to.equal("suspend");
        expect(((await (await server.call("/v1/clusters/c3")).json()) as { suspended: boolean }).suspended).to.equal(
            true,
        );
        const resume = (await (await server.call("/v1/clusters/c3/resume", { method: "POST" })).json()) as {
            operationId: string;
        };
        await waitForOperation(server, resume.operationId);
        expect(((await (await server.call("/v1/clusters/c3")).json()) as { suspended: boolean }).suspended).to.equal(
            false,
        );
        const del = await server.call("/v1/clusters/c3?purge=true", { method: "DELETE" });
        expect(del.status).to.equal(202);
        const op = await waitForOperation(server, ((await del.json()) as { operationId: string }).operationId);
        expect(op).to.include({ kind: "destroy", state: "succeeded", purge: true });
        const calls = server.executor.calls.map((c) => [c.method, c.spec?.suspended, c.purge]);
        expect(calls).to.deep.equal([
            ["up", false, undefined],
            ["up", true, undefined],
            ["up", false, undefined],
            ["destroy", false, true],
        ]);
        expect(server.executor.calls[3].spec?.userKubeconfig).to.include("user-cluster-token");
        expect((await server.call("/v1/clusters/c3")).status).to.equal(404);
    });

    it("cancels a running operation and reports it cancelled", async () => {
        await server.app.close();
        removeDir(server.dataDir);
        const executor = new MemoryExecutor({ delayMs: 10_000 });
        server = await startServer({ executor });
        const { operationId } = (await (
            await server.call("/v1/clusters/c4", { method: "PUT", json: body() })
        ).json()) as { operationId: string };
        await untilEngineRan(executor, 1);
        expect((await server.call(`/v1/operations/${operationId}/cancel`, { method: "POST" })).status).to.equal(202);
        const op = await waitForOperation(server, operationId);
        expect(op).to.deep.include({
            state: "cancelled",
            error: { code: "cancelled", status: 409, message: "cancelled while running" },
        });
        // The cluster's view of its last operation maps the error class to its status too.
        const cluster = (await (await server.call("/v1/clusters/c4")).json()) as { lastOperation: unknown };
        expect(cluster.lastOperation).to.deep.include({
            id: operationId,
            error: { code: "cancelled", status: 409, message: "cancelled while running" },
        });
        expect((await server.call(`/v1/operations/${operationId}/cancel`, { method: "POST" })).status).to.equal(409);
    });

    it("clears the stack's lock before the next operation after a cancel reached the engine", async () => {
        await server.app.close();
        removeDir(server.dataDir);
        const executor = new MemoryExecutor({ delayMs: 10_000 });
        server = await startServer({ executor });
        const apply = async () =>
            (
                (await (await server.call("/v1/clusters/c5", { method: "PUT", json: body() })).json()) as {
                    operationId: string;
                }
            ).operationId;
        const first = await apply();
        await untilEngineRan(executor, 1);
        await server.call(`/v1/operations/${first}/cancel`, { method: "POST" });
        expect((await waitForOperation(server, first)).state).to.equal("cancelled");
        // An engine stopped after its grace can leave the lock behind: the cluster says so.
        const cluster = (await (await server.call("/v1/clusters/c5")).json()) as { lockCheckPending: boolean };
        expect(cluster.lockCheckPending).to.equal(true);
        const second = await apply();
        await untilEngineRan(executor, 2);
        // Cancelled in its project stack's up, the first never reached the cluster's; the second ran
        // `pulumi cancel` on the cluster's stack before its engine started.
        expect(executor.calls.map((c) => c.method)).to.deep.equal(["unlock"]);
        const after = (await (await server.call("/v1/clusters/c5")).json()) as { lockCheckPending: boolean };
        expect(after.lockCheckPending).to.equal(false);
        await server.call(`/v1/operations/${second}/cancel`, { method: "POST" });
        await waitForOperation(server, second);
    });

    it("answers 401 on every /v1 route without the right bearer token, and serves health without one", async () => {
        const routes: Array<[string, string]> = [
            ["GET", "/v1/clusters"],
            ["GET", "/v1/clusters/c1"],
            ["PUT", "/v1/clusters/c1"],
            ["DELETE", "/v1/clusters/c1"],
            ["POST", "/v1/clusters/c1/preview"],
            ["POST", "/v1/clusters/c1/suspend"],
            ["POST", "/v1/clusters/c1/resume"],
            ["GET", "/v1/operations/00000000-0000-0000-0000-000000000000"],
            ["GET", "/v1/nope"],
        ];
        for (const [method, path] of routes) {
            for (const authorization of ["", "Bearer wrong-token-wrong-token", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
                const res = await server.call(path, {
                    method,
                    headers: { authorization },
                    json: method === "PUT" ? body() : undefined,
                });
                expect(res.status, `${method} ${path} with "${authorization}"`).to.equal(401);
                expect(res.headers.get("www-authenticate")).to.equal('Bearer realm="mla"');
            }
        }
        expect(server.executor.calls).to.deep.equal([]);
        expect((await fetch(`${server.url}/healthz`)).status).to.equal(200);
    });

    it("exports operation counts by kind and result and the queue depth", async () => {
        await waitForOperation(
            server,
            (
                (await (await server.call("/v1/clusters/c5", { method: "PUT", json: body() })).json()) as {
                    operationId: string;
                }
            ).operationId,
        );
        const text = await (await server.call("/metrics")).text();
        expect(text).to.include('mla_operations_total{kind="up",result="succeeded"} 1');
        expect(text).to.include("mla_queue_depth 0");
        expect(text).to.match(/mla_operation_duration_seconds_count\{kind="up",result="succeeded"\} 1/);
    });

    it("lists every registered route in /openapi.json", async () => {
        const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
            paths: Record<string, Record<string, unknown>>;
        };
        const listed = Object.entries(doc.paths).flatMap(([path, methods]) =>
            Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
        );
        const registered = server.routes.routes.map((r) => `${String(r.method)} ${r.url.replace(/:(\w+)/g, "{$1}")}`);
        expect(listed.sort()).to.deep.equal(registered.sort());
        expect(listed).to.include.members(["GET /v1/projects/{project}/members", "PUT /v1/projects/{project}/members"]);
        expect(listed.length).to.be.at.least(14);
    });
});
