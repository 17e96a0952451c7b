/**
 * Project stacks through the service, with the in-memory executor: the org is created with the
 * project's first cluster, updated by `PUT /v1/projects/{project}/members`, kept while another
 * cluster of the project remains, and destroyed with the last one. Admin never gets through.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, deferred, removeDir, startServer, type TestServer, waitForOperation } from "./support";

const STACK = "seed-eu1.team-a";

async function put(
    server: TestServer,
    id: string,
    over: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
    const res = await server.call(`/v1/clusters/${id}`, { method: "PUT", json: body(over) });
    expect(res.status, await res.clone().text()).to.equal(202);
    return waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
}

async function remove(server: TestServer, id: string): Promise<Record<string, unknown>> {
    const res = await server.call(`/v1/clusters/${id}`, { method: "DELETE" });
    expect(res.status, await res.clone().text()).to.equal(202);
    return waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
}

async function events(server: TestServer, opId: string): Promise<string[]> {
    const res = await server.call(`/v1/operations/${opId}/events`);
    return (await res.text())
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => (JSON.parse(l.slice(6)) as { message: string }).message);
}

describe("project stacks (Grafana org per project) in the service", () => {
    let server: TestServer;
    let executor: MemoryExecutor;
    beforeEach(async () => {
        executor = new MemoryExecutor({ delayMs: 1 });
        server = await startServer({ executor });
    });
    afterEach(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    it("creates the project stack before the project's first cluster, and not again for the second", async () => {
        await server.call("/v1/projects/team-a/members", {
            method: "PUT",
            json: { members: [{ login: "bob", role: "Editor" }] },
        });
        const first = await put(server, "c1");
        expect(first.state).to.equal("succeeded");
        expect(executor.projectCalls.map((c) => [c.method, c.stack, c.spec.members])).to.deep.equal([
            ["upProject", STACK, [{ login: "bob", role: "Editor" }]],
        ]);
        expect(executor.projectCalls[0].spec).to.deep.equal({
            project: "team-a",
            seedStack: "seed-eu1",
            members: [{ login: "bob", role: "Editor" }],
        });
        // The project stack ran first, inside the cluster's own operation.
        const lines = await events(server, first.id as string);
        const projectAt = lines.findIndex((l) => l.includes(`project stack ${STACK}: up`));
        const clusterAt = lines.findIndex((l) => l.includes("kubernetes:apps/v1:Deployment gateway"));
        expect(projectAt).to.be.greaterThan(-1);
        expect(clusterAt).to.be.greaterThan(projectAt);

        await put(server, "c2");
        expect(executor.projectCalls).to.have.length(1);
        const view = (await (await server.call("/v1/projects/team-a/members")).json()) as Record<string, unknown>;
        expect(view.stacks).to.deep.equal({ [STACK]: { seedStack: "seed-eu1", orgId: 2 } });
    });

    it("keeps the org while another cluster of the project remains, and destroys it with the last one", async () => {
        await put(server, "c1");
        await put(server, "c2");
        await put(server, "other", { project: "team-b" });
        expect(executor.projectOrgs.has(STACK)).to.equal(true);

        const firstOut = await remove(server, "c1");
        expect(firstOut.state).to.equal("succeeded");
        expect(executor.projectCalls.filter((c) => c.method === "destroyProject")).to.deep.equal([]);
        expect((await events(server, firstOut.id as string)).join("\n")).to.contain(
            `project stack ${STACK} stays: 1 other cluster(s) of project team-a use it`,
        );

        const lastOut = await remove(server, "c2");
        expect(lastOut.state).to.equal("succeeded");
        expect(executor.projectCalls.filter((c) => c.method === "destroyProject").map((c) => c.stack)).to.deep.equal([
            STACK,
        ]);
        expect(executor.projectOrgs.has(STACK)).to.equal(false);
        // The other project's org is untouched.
        expect(executor.projectOrgs.has("seed-eu1.team-b")).to.equal(true);
        const view = (await (await server.call("/v1/projects/team-a/members")).json()) as Record<string, unknown>;
        expect(view.stacks).to.deep.equal({});

        // A new first cluster creates the org again.
        await put(server, "c3");
        expect(executor.projectOrgs.has(STACK)).to.equal(true);
    });

    it("destroys the org once when the project's last two clusters are offboarded together", async () => {
        await put(server, "c1");
        await put(server, "c2");
        const ids = await Promise.all(
            ["c1", "c2"].map(
                async (id) =>
                    (
                        (await (await server.call(`/v1/clusters/${id}`, { method: "DELETE" })).json()) as {
                            operationId: string;
                        }
                    ).operationId,
            ),
        );
        for (const id of ids) expect((await waitForOperation(server, id)).state).to.equal("succeeded");
        expect(executor.projectCalls.filter((c) => c.method === "destroyProject").map((c) => c.stack)).to.deep.equal([
            STACK,
        ]);
        expect(executor.projectOrgs.has(STACK)).to.equal(false);
    });

    it("updates the org of every seed with clusters of the project when the members change", async () => {
        await put(server, "c1");
        await put(server, "c9", { seed: "seed-us1" });
        const res = await server.call("/v1/projects/team-a/members", {
            method: "PUT",
            json: {
                members: [
                    { login: "alice", role: "Viewer" },
                    { email: "carol@example.com", role: "Editor" },
                ],
            },
        });
        expect(res.status).to.equal(202);
        const answer = (await res.json()) as {
            operations: { operationId: string; stack: string }[];
            members: unknown[];
        };
        expect(answer.operations.map((o) => o.stack)).to.deep.equal([STACK, "seed-us1.team-a"]);
        for (const o of answer.operations)
            expect((await waitForOperation(server, o.operationId)).state).to.equal("succeeded");
        const updates = executor.projectCalls.slice(2);
        expect(updates.map((c) => [c.stack, c.spec.members])).to.deep.equal([
            [
                STACK,
                [
                    { login: "alice", role: "Viewer" },
                    { email: "carol@example.com", role: "Editor" },
                ],
            ],
            [
                "seed-us1.team-a",
                [
                    { login: "alice", role: "Viewer" },
                    { email: "carol@example.com", role: "Editor" },
                ],
            ],
        ]);
        // The same members again change nothing.
        const again = await server.call("/v1/projects/team-a/members", {
            method: "PUT",
            json: { members: answer.members },
        });
        for (const o of ((await again.json()) as typeof answer).operations)
            await waitForOperation(server, o.operationId);
        expect(executor.projectCalls).to.have.length(4);
    });

    it("stores members of a project without clusters (200) and applies them with its first cluster", async () => {
        const res = await server.call("/v1/projects/team-c/members", {
            method: "PUT",
            json: { members: [{ login: "dave", role: "Viewer" }] },
        });
        expect(res.status).to.equal(200);
        expect(((await res.json()) as { operations: unknown[] }).operations).to.deep.equal([]);
        expect(executor.projectCalls).to.deep.equal([]);
        await put(server, "c5", { project: "team-c" });
        expect(executor.projectCalls.map((c) => c.spec.members)).to.deep.equal([[{ login: "dave", role: "Viewer" }]]);
    });

    it("refuses Admin in the members body with 400 naming the field, and stores nothing", async () => {
        for (const role of ["Admin", "GrafanaAdmin", "admin"]) {
            const res = await server.call("/v1/projects/team-a/members", {
                method: "PUT",
                json: {
                    members: [
                        { login: "ok", role: "Viewer" },
                        { login: "mallory", role },
                    ],
                },
            });
            expect(res.status, role).to.equal(400);
            expect(((await res.json()) as { error: string }).error, role).to.match(/members\/1\/role/);
        }
        const both = await server.call("/v1/projects/team-a/members", {
            method: "PUT",
            json: { members: [{ login: "x", email: "x@example.com", role: "Viewer" }, { role: "Editor" }] },
        });
        expect(both.status).to.equal(400);
        expect(((await both.json()) as { error: string }).error).to.equal(
            "members[0] must have exactly one of login or email; members[1] must have exactly one of login or email",
        );
        const extra = await server.call("/v1/projects/team-a/members", {
            method: "PUT",
            json: { members: [{ login: "x", role: "Viewer", admin: true }] },
        });
        expect(extra.status).to.equal(400);
        const badProject = await server.call("/v1/projects/Team_A/members", { method: "PUT", json: { members: [] } });
        expect(badProject.status).to.equal(400);
        expect(
            ((await (await server.call("/v1/projects/team-a/members")).json()) as { members: unknown[] }).members,
        ).to.deep.equal([]);
    });

    it("requires the bearer token", async () => {
        for (const method of ["GET", "PUT"]) {
            const res = await server.call("/v1/projects/team-a/members", {
                method,
                headers: { authorization: "Bearer wrong" },
                ...(method === "PUT" ? { json: { members: [] } } : {}),
            });
            expect(res.status, method).to.equal(401);
        }
    });

    it("never runs two operations on one project stack at once", async () => {
        const gate = deferred();
        const held = new MemoryExecutor({
            delayMs: 1,
            gateProject: (c) => (c.method === "upProject" ? gate.promise : undefined),
        });
        await server.app.close();
        removeDir(server.dataDir);
        server = await startServer({ executor: held });
        const started = await Promise.all(
            ["c1", "c2", "c3"].map(
                async (id) =>
                    (
                        (await (await server.call(`/v1/clusters/${id}`, { method: "PUT", json: body() })).json()) as {
                            operationId: string;
                        }
                    ).operationId,
            ),
        );
        const members = await server.call("/v1/projects/team-a/members", {
            method: "PUT",
            json: { members: [{ login: "erin", role: "Viewer" }] },
        });
        await new Promise((r) => setTimeout(r, 50));
        gate.resolve();
        for (const id of started) expect((await waitForOperation(server, id)).state).to.equal("succeeded");
        for (const o of ((await members.json()) as { operations: { operationId: string }[] }).operations)
            await waitForOperation(server, o.operationId);
        expect(held.maxPerProjectStack).to.equal(1);
        // Whatever the interleaving, the last applied spec has the new members.
        expect(held.projectCalls[held.projectCalls.length - 1].spec.members).to.deep.equal([
            { login: "erin", role: "Viewer" },
        ]);
    });

    it("clears a lock left on a project stack by a service that stopped mid-run, before running it again", async () => {
        await server.app.close();
        removeDir(server.dataDir);
        const dataDir = mkdtempSync(join(tmpdir(), "mla-serve-"));
        mkdirSync(join(dataDir, "projects"), { recursive: true });
        const interrupted = {
            project: "team-a",
            members: [],
            stacks: { [STACK]: { seedStack: "seed-eu1", hash: "", running: true } },
            updatedAt: "2026-01-01T00:00:00.000Z",
        };
        writeFileSync(join(dataDir, "projects", "team-a.json"), JSON.stringify(interrupted));
        server = await startServer({ executor, dataDir });
        expect((await put(server, "c1")).state).to.equal("succeeded");
        const unlockAt = executor.calls.findIndex((c) => c.method === "unlock" && c.clusterId === STACK);
        expect(unlockAt).to.be.greaterThan(-1);
        expect(executor.projectCalls.map((c) => c.method)).to.deep.equal(["upProject"]);
        // Cleared: the next run does not unlock again.
        await server
            .call("/v1/projects/team-a/members", {
                method: "PUT",
                json: { members: [{ login: "bob", role: "Viewer" }] },
            })
            .then(async (r) => {
                for (const o of ((await r.json()) as { operations: { operationId: string }[] }).operations)
                    await waitForOperation(server, o.operationId);
            });
        expect(executor.calls.filter((c) => c.method === "unlock" && c.clusterId === STACK)).to.have.length(1);
        expect(executor.projectCalls).to.have.length(2);
    });

    it("previews a project's first cluster with a placeholder org id and creates no project stack; later previews read the real one", async () => {
        const preview = async (id: string) => {
            const res = await server.call(`/v1/clusters/${id}/preview`, { method: "POST", json: body() });
            expect(res.status).to.equal(202);
            return waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
        };
        const first = await preview("c1");
        expect(first.state).to.equal("succeeded");
        expect(executor.projectCalls).to.deep.equal([]);
        const previewed = executor.calls.filter((c) => c.method === "preview");
        expect(previewed.map((c) => c.spec?.seedApi.grafanaOrgId)).to.deep.equal([1]);
        expect((await events(server, first.id as string)).join("\n")).to.contain(
            `project team-a has no Grafana org on seed-eu1 yet (the first up creates it): previewing with org id 1`,
        );

        await put(server, "c1");
        await preview("c2");
        expect(
            executor.calls.filter((c) => c.method === "preview").map((c) => c.spec?.seedApi.grafanaOrgId),
        ).to.deep.equal([1, undefined]);
    });

    it("fails the cluster's up when the org cannot be created (a request cannot bring its own org id: seed-api-from-request.test.ts)", async () => {
        const failing = new MemoryExecutor({ delayMs: 1, failProject: () => "grafana: 401 Unauthorized" });
        await server.app.close();
        removeDir(server.dataDir);
        server = await startServer({ executor: failing });
        const op = await put(server, "c2");
        expect(op.state).to.equal("failed");
        expect(JSON.stringify(op.error)).to.contain("grafana: 401 Unauthorized");
        // The cluster program never ran without its org.
        expect(failing.calls.filter((c) => c.method === "up")).to.deep.equal([]);
    });
});
