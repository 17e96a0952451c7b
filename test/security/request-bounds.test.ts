/**
 * Bounds an attacker with the token hit first, over real HTTP: a body of a huge array, a body of
 * many unknown fields, and a seed name that walks out of the data dir. Each is a prompt 400 that
 * names the field, with a bounded message; the workspace directory of a stack can never leave
 * `<dataDir>/workspaces`, whatever name reaches it.
 */
import { expect } from "chai";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { StackWorkspaces } from "../../executors/automation/stack-workspaces";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { INPUT_LIMITS } from "../../service/input/bounded-input";
import { jsonNestsDeeper, jsonTextProblem, PRESCAN_FROM } from "../../service/input/json-limits";
import { MAX_LISTED_PROBLEMS } from "../../service/http/schema-errors";
import { body, removeDir, startServer, type TestServer } from "../server/support";

describe("request bounds: huge arrays, many unknown fields, seed names with dot segments, ids of seeds", () => {
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

    const put = async (json: unknown) => {
        const res = await server.call("/v1/clusters/c1", { method: "PUT", json });
        return { status: res.status, error: ((await res.json()) as { error: string }).error };
    };

    it("refuses an array of more than maxEntries items at the parser, naming it, before the schema walks it", async () => {
        const items = INPUT_LIMITS.maxEntries * 40;
        const started = Date.now();
        const { status, error } = await put(body({ gateway: { externalHostnames: new Array(items).fill(1) } }));
        expect(status).to.equal(400);
        expect(error).to.equal(
            `body/gateway/externalHostnames has ${items} items, more than ${INPUT_LIMITS.maxEntries}`,
        );
        // A bound on work, not a timing: the schema's walk over 400,000 bad items took seconds.
        expect(Date.now() - started).to.be.below(5000);
        expect(executor.calls).to.deep.equal([]);
    });

    it("refuses more than maxValues values spread over many arrays, and an object of more than maxEntries keys", async () => {
        const groups = Array.from({ length: 400 }, () => ({ name: "g", rules: new Array(200).fill(0) }));
        const spread = await put(body({ tenant: { metricRuleGroups: groups } }));
        expect(spread.status).to.equal(400);
        expect(spread.error).to.equal(`body holds more than ${INPUT_LIMITS.maxValues} values`);
        const keys = Object.fromEntries(Array.from({ length: INPUT_LIMITS.maxEntries + 1 }, (_, i) => [`k${i}`, 0]));
        const wide = await put(body({ monitoring: { wide: keys } }));
        expect(wide.status).to.equal(400);
        expect(wide.error).to.equal(`body/monitoring/wide has more than ${INPUT_LIMITS.maxEntries} keys`);
        expect(executor.calls).to.deep.equal([]);
    });

    it("refuses a body of a million nested arrays before parsing it", async () => {
        const levels = 1_000_000;
        const text = JSON.stringify(body()).replace(/}$/, `,"x":${"[".repeat(levels)}${"]".repeat(levels)}}`);
        const started = Date.now();
        const res = await server.call("/v1/clusters/c1", {
            method: "PUT",
            body: text,
            headers: { "content-type": "application/json" },
        });
        expect(res.status).to.equal(400);
        expect(((await res.json()) as { error: string }).error).to.equal(
            `body nests deeper than ${INPUT_LIMITS.maxDepth} levels`,
        );
        // A bound on work, not a timing: parsing four million levels took about 4 s.
        expect(Date.now() - started).to.be.below(3000);
    });

    it("measures nesting outside strings only, and scans only texts of PRESCAN_FROM characters or more", () => {
        const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
        expect(jsonNestsDeeper(deep(64))).to.equal(false);
        expect(jsonNestsDeeper(deep(65))).to.equal(true);
        expect(jsonNestsDeeper(JSON.stringify({ s: "[".repeat(1000), t: 'a\\"[[[' }))).to.equal(false);
        expect(jsonNestsDeeper(`["\\"${"[".repeat(100)}`)).to.equal(false);
        expect(jsonTextProblem(deep(1000))).to.equal(undefined);
        expect(jsonTextProblem(deep(PRESCAN_FROM))).to.equal(`body nests deeper than ${INPUT_LIMITS.maxDepth} levels`);
    });

    it("names each unknown field and lists at most MAX_LISTED_PROBLEMS problems", async () => {
        const unknown = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`stray${i}`, i]));
        const { status, error } = await put(body(unknown));
        expect(status).to.equal(400);
        expect(error).to.contain("body must NOT have additional properties: stray0");
        expect(error.split(", ")).to.have.length(MAX_LISTED_PROBLEMS);
        expect(error).to.match(/\(and 480 more\)$/);
        expect(error.length).to.be.below(3000);
    });

    for (const seed of ["../../escaped", "..", "org/../x", "org/./x", "a/b/.."]) {
        it(`refuses the seed ${JSON.stringify(seed)}: 400 naming seed, nothing written outside the data dir`, async () => {
            const { status, error } = await put(body({ seed }));
            expect(status).to.equal(400);
            expect(error).to.contain("body/seed");
            expect(existsSync(join(dirname(server.dataDir), "escaped.team-a"))).to.equal(false);
            expect(executor.calls).to.deep.equal([]);
            expect(executor.projectCalls).to.deep.equal([]);
        });
    }

    it("refuses a cluster id that is the name of its seed's stack, or of a seed the operator named, before anything runs", async () => {
        await server.app.close();
        removeDir(server.dataDir);
        server = await startServer({ executor, seedApis: { "org/mla/seed-us1": {} } });
        for (const [id, seed] of [
            ["seed-eu1", "seed-eu1"],
            ["seed-eu1", "org/mla/seed-eu1"],
            ["seed-us1", "seed-eu1"],
        ]) {
            const res = await server.call(`/v1/clusters/${id}`, { method: "PUT", json: body({ seed }) });
            expect(res.status, `${id} on ${seed}`).to.equal(400);
            expect(((await res.json()) as { error: string }).error).to.contain(`id ${id} is the name of seed stack`);
        }
        expect(executor.calls).to.deep.equal([]);
        // A seed a registered cluster is on is known too, whatever seed the request names.
        expect(
            (await server.call("/v1/clusters/c9", { method: "PUT", json: body({ seed: "org/mla/seed-eu3" }) })).status,
        ).to.equal(202);
        const taken = await server.call("/v1/clusters/seed-eu3", { method: "PUT", json: body({ seed: "seed-eu2" }) });
        expect(taken.status).to.equal(400);
        expect(((await taken.json()) as { error: string }).error).to.contain(
            "is the name of seed stack org/mla/seed-eu3",
        );
    });

    it("never makes a workspace directory outside <dataDir>/workspaces", () => {
        const dataDir = mkdtempSync(join(tmpdir(), "mla-ws-"));
        try {
            const ws = new StackWorkspaces({ dataDir, backendUrl: "file:///nowhere", env: {} });
            expect(ws.workDir("org/mla/seed-eu1.team-a")).to.equal(
                join(dataDir, "workspaces", "org/mla/seed-eu1.team-a"),
            );
            for (const name of ["../../escaped.team-a", "..", "../workspaces-x", "/etc/x"])
                expect(() => ws.workDir(name), name).to.throw(/leaves the workspaces/);
            expect(existsSync(join(dirname(dataDir), "escaped.team-a"))).to.equal(false);
        } finally {
            removeDir(dataDir);
        }
    });
});
