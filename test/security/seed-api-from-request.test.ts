/**
 * The seeds' API addresses belong to the operator, never to a request. A body's
 * `seedApi.grafanaUrl` once went to the project program, which sends the seed's Grafana admin
 * login to that URL (and the URL was stored and reused for the project's later runs); its purge
 * URLs received a destroy's deletion requests; its org id put the cluster's datasources into any
 * project's org. Every one of them is refused, naming the field, and nothing is registered or run;
 * the addresses the service uses come from `MLA_SEED_API_FILE` alone, and a URL an older version
 * stored for a project stack is never used again.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { readSeedApis, seedApiProblems } from "../../service/seed-apis";
import { loadOrCreateKey, SpecStore } from "../../service/store/spec-store";
import { body, removeDir, startServer, type TestServer, waitForOperation } from "../server/support";

const ATTACKER = "https://grafana-collector.attacker.example";
const OPERATORS = "https://grafana.seed-eu1.internal:3000";

describe("seed API addresses: the operator's, never a request's", () => {
    let server: TestServer;
    let executor: MemoryExecutor;
    afterEach(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    const tricks: Array<[string, Record<string, unknown>]> = [
        ["grafanaUrl", { grafanaUrl: ATTACKER }],
        ["cortexPurgerUrl", { cortexPurgerUrl: "http://127.0.0.1:9/internal/admin" }],
        ["lokiDeleteUrl", { lokiDeleteUrl: "http://metadata.internal/latest" }],
        ["grafanaOrgId", { grafanaOrgId: 2 }],
        ["an empty object", {}],
    ];
    for (const [name, seedApi] of tricks) {
        for (const route of ["", "/preview"]) {
            it(`refuses seedApi with ${name} on ${route ? "POST .../preview" : "PUT"}: 400 naming seedApi, nothing registered or run`, async () => {
                executor = new MemoryExecutor({ delayMs: 1 });
                server = await startServer({ executor, seedApis: { "seed-eu1": { grafanaUrl: OPERATORS } } });
                const res = await server.call(`/v1/clusters/c1${route}`, {
                    method: route ? "POST" : "PUT",
                    json: body({ project: "team-b", seedApi }),
                });
                expect(res.status).to.equal(400);
                expect(((await res.json()) as { error: string }).error).to.contain("seedApi");
                expect((await server.call("/v1/clusters/c1")).status).to.equal(404);
                expect(executor.calls).to.deep.equal([]);
                expect(executor.projectCalls).to.deep.equal([]);
            });
        }
    }

    it("gives the project program and the cluster program the operator's addresses for the body's seed, and none for another seed", async () => {
        executor = new MemoryExecutor({ delayMs: 1 });
        const seedApis = { "seed-eu1": { grafanaUrl: OPERATORS, lokiDeleteUrl: "http://loki.seed-eu1.internal:3100" } };
        server = await startServer({ executor, seedApis });
        const put = async (id: string, seed: string) => {
            const res = await server.call(`/v1/clusters/${id}`, { method: "PUT", json: body({ seed }) });
            expect(res.status, await res.clone().text()).to.equal(202);
            const op = await waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
            expect(op.state).to.equal("succeeded");
        };
        await put("c1", "seed-eu1");
        await put("c2", "seed-eu2");
        expect(executor.projectCalls.map((c) => [c.stack, c.spec.grafanaUrl])).to.deep.equal([
            ["seed-eu1.team-a", OPERATORS],
            ["seed-eu2.team-a", undefined],
        ]);
        const ups = executor.calls.filter((c) => c.method === "up");
        expect(ups.map((c) => c.spec?.seedApi)).to.deep.equal([seedApis["seed-eu1"], {}]);
    });

    it("never uses a Grafana URL an older version stored for a project stack, and drops it from the file", async () => {
        const dataDir = mkdtempSync(join(tmpdir(), "mla-serve-"));
        mkdirSync(join(dataDir, "projects"), { recursive: true });
        const stored = {
            project: "team-b",
            members: [],
            stacks: { "seed-eu1.team-b": { seedStack: "seed-eu1", grafanaUrl: ATTACKER, hash: "old", orgId: 3 } },
            updatedAt: new Date(0).toISOString(),
        };
        writeFileSync(join(dataDir, "projects", "team-b.json"), JSON.stringify(stored));
        executor = new MemoryExecutor({ delayMs: 1 });
        server = await startServer({ executor, dataDir });
        const res = await server.call(`/v1/clusters/b1`, { method: "PUT", json: body({ project: "team-b" }) });
        expect(res.status).to.equal(202);
        await waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
        expect(executor.projectCalls.map((c) => [c.stack, c.spec.grafanaUrl])).to.deep.equal([
            ["seed-eu1.team-b", undefined],
        ]);
        const view = (await (await server.call("/v1/projects/team-b/members")).json()) as { stacks: object };
        expect(JSON.stringify(view)).to.not.contain(ATTACKER);
    });

    it("replaces the addresses of a spec an older version stored (from a request) with the operator's, for suspend and purge", async () => {
        executor = new MemoryExecutor({ delayMs: 1 });
        const seedApis = { "seed-eu1": { grafanaUrl: OPERATORS } };
        server = await startServer({ executor, seedApis });
        const accepted = async (res: Response) => {
            expect(res.status, await res.clone().text()).to.equal(202);
            const op = await waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
            expect(op.state).to.equal("succeeded");
        };
        await accepted(await server.call("/v1/clusters/c1", { method: "PUT", json: body() }));
        // What an older version stored: the request's own addresses and org id.
        const raw = new SpecStore(server.registry, loadOrCreateKey(join(server.dataDir, "spec.key")));
        const stored = raw.load("c1")!;
        const chosen = { grafanaUrl: ATTACKER, cortexPurgerUrl: "http://127.0.0.1:9/x", grafanaOrgId: 2 };
        raw.save("c1", { ...stored, seedApi: chosen });
        await server.registry.durable();
        expect(raw.load("c1")?.seedApi).to.deep.equal(chosen);

        await accepted(await server.call("/v1/clusters/c1/suspend", { method: "POST" }));
        await accepted(await server.call("/v1/clusters/c1?purge=true", { method: "DELETE" }));
        const used = executor.calls.filter((c) => c.method === "up" || c.method === "destroy").slice(1);
        expect(used.map((c) => [c.method, c.spec?.seedApi])).to.deep.equal([
            ["up", seedApis["seed-eu1"]],
            ["destroy", seedApis["seed-eu1"]],
        ]);
        expect(JSON.stringify(executor.projectCalls)).to.not.contain(ATTACKER);
    });

    it("MLA_SEED_API_FILE: every problem at once, naming the seed and field; a good file is read as written", () => {
        expect(
            seedApiProblems({
                "seed-eu1": { grafanaUrl: "ftp://x", grafanaOrgId: 2 },
                "../up": {},
                "seed-eu2": { cortexPurgerUrl: "http://cortex.internal/?q=1" },
            }),
        ).to.have.length(4);
        const problems = seedApiProblems({ "seed-eu1": { grafanaUrl: "ftp://x", grafanaOrgId: 2 } }).join("; ");
        expect(problems).to.contain("seed-eu1.grafanaUrl").and.to.contain("grafanaOrgId");
        expect(seedApiProblems([])).to.have.length(1);

        const dir = mkdtempSync(join(tmpdir(), "mla-seed-api-"));
        try {
            const good = { "org/mla/seed-eu1": { grafanaUrl: OPERATORS } };
            writeFileSync(join(dir, "good.json"), JSON.stringify(good));
            expect(readSeedApis(join(dir, "good.json"))).to.deep.equal(good);
            writeFileSync(join(dir, "bad.json"), JSON.stringify({ "seed-eu1": { grafanaOrgId: 2 } }));
            expect(() => readSeedApis(join(dir, "bad.json"))).to.throw(/MLA_SEED_API_FILE .*bad\.json: 1 problem/);
            writeFileSync(join(dir, "broken.json"), "{");
            expect(() => readSeedApis(join(dir, "broken.json"))).to.throw(/not valid JSON/);
        } finally {
            removeDir(dir);
        }
    });
});
