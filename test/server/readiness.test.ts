/**
 * Readiness: `/readyz` caches its probe, reports provider plugins and seed stacks, and every
 * mutating route answers 503 with the reason and Retry-After while the engine is not ready,
 * accepting nothing; a cluster whose stack was never created can still be deleted.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readiness } from "../../service/operations/engine-readiness";
import { pluginCheck, type RequiredPlugin } from "../../executors/automation/engine-plugins";
import type { ReadyCheck } from "../../executors/executor";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, deferred, kubeconfig, removeDir, startServer, type TestServer, waitForOperation } from "./support";

/** The in-memory executor with an engine that can be switched off. */
class SwitchableExecutor extends MemoryExecutor {
    engineUp = true;
    checks = 0;
    async checkReady(): Promise<ReadyCheck[]> {
        this.checks++;
        return [
            {
                name: "pulumi-cli",
                ok: this.engineUp,
                detail: this.engineUp ? "pulumi v3.248.0" : "the Pulumi CLI (`pulumi`) is not on PATH",
            },
        ];
    }
}

/** The operation id of an accepted request. */
async function operationIdOf(response: Response | Promise<Response>): Promise<string> {
    return ((await (await response).json()) as { operationId: string }).operationId;
}

describe("readiness", function () {
    this.timeout(20_000);

    describe("Readiness (the cached probe)", () => {
        it("probes once per TTL however many callers ask, and again after it", async () => {
            let now = 1_000_000;
            let calls = 0;
            const readiness = new Readiness({
                probe: async () => [{ name: "x", ok: ++calls > 0, detail: `probe ${calls}` }],
                ttlMs: 5000,
                now: () => now,
            });
            const reports = await Promise.all([readiness.report(), readiness.report(), readiness.report()]);
            await readiness.report();
            now += 4999;
            await readiness.report();
            expect(calls).to.equal(1);
            expect(reports[0]).to.deep.equal({
                ready: true,
                message: "ready",
                checks: [{ name: "x", ok: true, detail: "probe 1" }],
                seeds: [],
                checkedAt: new Date(1_000_000).toISOString(),
            });
            now += 1;
            expect((await readiness.report()).checks[0].detail).to.equal("probe 2");
        });

        it("checks seeds at most once a minute, since each check may start a CLI per seed", async () => {
            let now = 0;
            let seedProbes = 0;
            const readiness = new Readiness({
                probe: async () => [],
                seeds: async () => [{ name: `seed s (${++seedProbes})`, ok: true, detail: "" }],
                ttlMs: 5000,
                now: () => now,
            });
            for (; now < 60_000; now += 5000) expect((await readiness.report()).seeds[0].name).to.equal("seed s (1)");
            expect((await readiness.report()).seeds[0].name).to.equal("seed s (2)");
        });

        it("reports a probe that throws as not ready instead of failing", async () => {
            const readiness = new Readiness({ probe: async () => Promise.reject(new Error("boom\nstack")) });
            expect(await readiness.report()).to.include({ ready: false, message: "executor: probe failed: boom" });
        });
    });

    describe("pluginCheck", () => {
        const plugins: RequiredPlugin[] = [
            { name: "kubernetes", version: "4.34.2", packageName: "@pulumi/kubernetes" },
            {
                name: "grafana",
                version: "2.40.0",
                server: "github://api.github.com/pulumiverse",
                packageName: "@pulumiverse/grafana",
            },
        ];
        it("is ok only with each plugin's binary in resource-<name>-v<version> and no .partial marker", () => {
            const dir = mkdtempSync(join(tmpdir(), "mla-plugins-"));
            try {
                expect(pluginCheck(plugins, dir)).to.deep.equal({
                    name: "plugins",
                    ok: false,
                    detail: `missing in ${dir}: kubernetes v4.34.2, grafana v2.40.0; run \`mla serve --install-plugins\` (or \`pulumi plugin install resource <name> <version>\` for each)`,
                });
                for (const p of plugins) {
                    mkdirSync(join(dir, `resource-${p.name}-v${p.version}`));
                    writeFileSync(join(dir, `resource-${p.name}-v${p.version}`, `pulumi-resource-${p.name}`), "");
                }
                writeFileSync(join(dir, "resource-grafana-v2.40.0.partial"), "");
                expect(pluginCheck(plugins, dir).detail).to.match(/^missing in .*: grafana v2\.40\.0;/);
                removeDir(join(dir, "resource-grafana-v2.40.0.partial"));
                expect(pluginCheck(plugins, dir)).to.deep.equal({
                    name: "plugins",
                    ok: true,
                    detail: `kubernetes v4.34.2, grafana v2.40.0 in ${dir}`,
                });
                // Another version of the same plugin does not count.
                expect(pluginCheck([{ ...plugins[0], version: "4.35.0" }], dir).ok).to.equal(false);
            } finally {
                removeDir(dir);
            }
        });
    });

    describe("over HTTP", () => {
        let server: TestServer;
        let executor: SwitchableExecutor;
        const hold = deferred();

        before(async () => {
            executor = new SwitchableExecutor({
                seeds: ["seed-eu1"],
                gate: (c) => (c.clusterId === "held" ? hold.promise : undefined),
            });
            server = await startServer({ executor, workers: 1, readyCacheMs: 60_000 });
            // c1 is deployed; "never" is registered but its only `up` was cancelled while queued.
            await waitForOperation(
                server,
                await operationIdOf(server.call("/v1/clusters/c1", { method: "PUT", json: body() })),
            );
            const held = await operationIdOf(server.call("/v1/clusters/held", { method: "PUT", json: body() }));
            const queued = await operationIdOf(server.call("/v1/clusters/never", { method: "PUT", json: body() }));
            expect((await server.call(`/v1/operations/${queued}/cancel`, { method: "POST" })).status).to.equal(202);
            hold.resolve();
            await waitForOperation(server, held);
            await waitForOperation(server, queued);
            mkdirSync(join(server.dataDir, "seeds"), { recursive: true });
            writeFileSync(
                join(server.dataDir, "seeds", "org__mla__seed-x.yaml"),
                kubeconfig("seed-file-token-0123456789"),
            );
        });

        after(async () => {
            await server.app.close();
            removeDir(server.dataDir);
        });

        it("serves /readyz from the cache: many calls, one probe", async () => {
            server.readiness.invalidate();
            const before = executor.checks;
            for (let i = 0; i < 20; i++) expect((await server.call("/readyz")).status).to.equal(200);
            expect(executor.checks - before).to.equal(1);
        });

        it("reports whether each seed stack in use is readable, without gating on it", async () => {
            server.readiness.invalidate();
            const report = (await (await server.call("/readyz")).json()) as { ready: boolean; seeds: unknown[] };
            expect(report.ready).to.equal(true);
            expect(report.seeds).to.deep.equal([
                { name: "seed org/mla/seed-x", ok: false, detail: "no stack org/mla/seed-x (in-memory executor)" },
                { name: "seed seed-eu1", ok: true, detail: "readable (in-memory executor)" },
            ]);
        });

        it("answers 503 with the reason and Retry-After to PUT, preview, suspend, resume and DELETE while the engine is down, and accepts nothing", async () => {
            executor.engineUp = false;
            server.readiness.invalidate();
            const callsBefore = executor.calls.length;
            const registryBefore = JSON.stringify([
                server.registry.clusters(),
                server.registry.operationsOf("c1"),
                server.registry.operationsOf("c9"),
            ]);
            const attempts: Array<[string, string, unknown?]> = [
                ["PUT", "/v1/clusters/c1", body()],
                ["PUT", "/v1/clusters/c9", body()],
                ["POST", "/v1/clusters/c9/preview", body()],
                ["POST", "/v1/clusters/c1/suspend"],
                ["POST", "/v1/clusters/c1/resume"],
                ["DELETE", "/v1/clusters/c1"],
                ["DELETE", "/v1/clusters/c1?purge=true"],
            ];
            for (const [method, path, json] of attempts) {
                const res = await server.call(path, { method, json });
                expect(res.status, `${method} ${path}`).to.equal(503);
                expect(res.headers.get("retry-after")).to.equal("10");
                expect(((await res.json()) as { error: string }).error).to.equal(
                    "not accepting operations while the engine is not ready: pulumi-cli: the Pulumi CLI (`pulumi`) is not on PATH",
                );
            }
            expect(executor.calls.length).to.equal(callsBefore);
            expect(
                JSON.stringify([
                    server.registry.clusters(),
                    server.registry.operationsOf("c1"),
                    server.registry.operationsOf("c9"),
                ]),
            ).to.equal(registryBefore);
            // Reads and cancel still work.
            expect((await server.call("/v1/clusters")).status).to.equal(200);
            const ready = await server.call("/readyz");
            expect(ready.status).to.equal(503);
        });

        it("still deletes a cluster whose stack was never created, without calling the engine", async () => {
            expect(server.registry.cluster("never")).to.not.equal(undefined);
            const res = await server.call("/v1/clusters/never", { method: "DELETE" });
            expect(res.status).to.equal(202);
            const op = await waitForOperation(server, await operationIdOf(res));
            expect(op.state).to.equal("succeeded");
            expect(server.registry.cluster("never")).to.equal(undefined);
            expect(executor.calls.filter((c) => c.clusterId === "never")).to.deep.equal([]);
        });

        it("accepts operations again once the engine is back", async () => {
            executor.engineUp = true;
            server.readiness.invalidate();
            expect((await server.call("/v1/clusters/c1/suspend", { method: "POST" })).status).to.equal(202);
        });
    });
});
