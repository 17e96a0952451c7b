/**
 * Model-based property test of the cluster lifecycle (fast-check `commands`): PUT, DELETE,
 * suspend, resume, preview, cancel, engine progress (each held call succeeds or fails) and
 * restart (close and reopen the service on the same data dir), interleaved, over the in-memory
 * executor, whose calls are held until a `Release` command.
 *
 * After every step: the registry's view and the executor's stacks agree (no orphan stack, no
 * ghost entry), the registry on disk equals the one in memory, a deleting cluster has its
 * destroy queued or running, every listed cluster's last operation exists, and a finished
 * operation never changes again. After each run, once everything has settled: each cluster is
 * where its newest accepted request put it.
 */
import { expect } from "chai";
import fc from "fast-check";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { buildApp, type BuiltApp } from "../../service/http/app";
import { canRemoveWithoutEngine } from "../../service/operations/cluster-lifecycle";
import { type MemoryCall, MemoryExecutor } from "../../executors/memory/executor-memory";
import { FINAL_STATES, type OperationRecord } from "../../executors/operation-types";
import { readRegistry } from "../../service/store/registry-view";
import { body, removeDir, TOKEN } from "./support";

/** The model tests logic, not the disk: a RAM-backed dir (fsync is free there) when the machine has one. */
const FAST_TMP = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const IDS = ["a", "b", "c"] as const;
const SEED = 20261201;
const NUM_RUNS = 30;
const MAX_COMMANDS = 50;

/** What the test knows from the answers it got: the newest accepted lifecycle request per cluster. */
interface Model {
    newest: Map<string, { opId: string; kind: string; suspended?: boolean }>;
    /** Final states seen so far: they must never change. */
    finals: Map<string, string>;
}

/** The system: a service over a data dir, and an executor that outlives restarts (it is the backend). */
interface Real {
    dataDir: string;
    executor: MemoryExecutor;
    built: BuiltApp;
    held: Array<{ call: MemoryCall; release(): void }>;
    failing: WeakSet<MemoryCall>;
}

const stats = { runs: 0, steps: 0, restarts: 0, restartMs: 0, conflicts: 0, byCommand: new Map<string, number>() };

async function open(real: Pick<Real, "dataDir" | "executor">): Promise<BuiltApp> {
    const stream = new PassThrough();
    stream.resume();
    return buildApp({
        dataDir: real.dataDir,
        executor: real.executor,
        token: TOKEN,
        workers: 4,
        queueLimit: 1000,
        shutdownTimeoutMs: 2000,
        log: { level: "warn", stream },
    });
}

/** The fields of the service's answers the model reads. */
interface Answer {
    operationId: string;
    joined: boolean;
    error: string;
}

async function request(
    real: Real,
    method: string,
    url: string,
    payload?: unknown,
): Promise<{ status: number; json: Answer }> {
    const res = await real.built.app.inject({
        method: method as "GET",
        url,
        headers: { authorization: `Bearer ${TOKEN}` },
        ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : undefined };
}

/** Lets accepted operations reach the executor (commit, start, commit) before looking. */
async function quiesce(real: Real): Promise<void> {
    for (let i = 0; i < 6; i++) {
        await new Promise((r) => setImmediate(r));
        await real.built.registry.durable();
    }
}

function active(real: Real): OperationRecord[] {
    return IDS.flatMap((id) => real.built.registry.operationsOf(id)).filter((o) => !FINAL_STATES.includes(o.state));
}

/** The invariants that hold after every step. */
function checkInvariants(model: Model, real: Real): void {
    const { registry } = real.built;
    const clusters = registry.clusters();
    const ids = new Set(clusters.map((c) => c.id));
    const stacks = real.executor.stacks();
    for (const s of stacks) expect(ids.has(s), `orphan stack ${s}: the registry has no entry for it`).to.equal(true);
    for (const c of clusters) {
        const ops = registry.operationsOf(c.id);
        if (c.status === "ready") expect(stacks, `ghost: ${c.id} is ready without a stack`).to.include(c.id);
        if (canRemoveWithoutEngine(c, ops))
            expect(stacks, `${c.id} claims its stack was never created`).to.not.include(c.id);
        if (c.lastOperationId)
            expect(registry.operation(c.lastOperationId), `${c.id}'s last operation`).to.not.equal(undefined);
        if (c.status === "deleting") {
            const destroy = ops.find(
                (o) => o.id === c.lastOperationId && o.kind === "destroy" && o.generation === c.generation,
            );
            expect(
                destroy && !FINAL_STATES.includes(destroy.state),
                `${c.id} deleting without an active destroy`,
            ).to.equal(true);
        }
    }
    expect(real.executor.maxPerCluster).to.be.at.most(1);
    for (const id of IDS) {
        for (const op of registry.operationsOf(id)) {
            const seen = model.finals.get(op.id);
            if (seen) expect(op.state, `operation ${op.id} changed after it finished`).to.equal(seen);
            else if (FINAL_STATES.includes(op.state)) model.finals.set(op.id, op.state);
        }
    }
    // Disk equals memory (everything acknowledged so far is committed).
    const disk = readRegistry(real.dataDir)!;
    expect(disk.clusters.map((c) => [c.id, c.status, c.generation])).to.deep.equal(
        clusters.map((c) => [c.id, c.status, c.generation]),
    );
}

type Cmd = fc.AsyncCommand<Model, Real>;

const step = (name: string, run: (model: Model, real: Real) => Promise<void>): Cmd => ({
    check: () => true,
    run: async (model, real) => {
        stats.steps++;
        stats.byCommand.set(name.split("(")[0], (stats.byCommand.get(name.split("(")[0]) ?? 0) + 1);
        await run(model, real);
        await quiesce(real);
        checkInvariants(model, real);
    },
    toString: () => name,
});

function isDeleting(model: Model, real: Real, id: string): boolean {
    const newest = model.newest.get(id);
    const op = newest && real.built.registry.operation(newest.opId);
    return newest?.kind === "destroy" && op !== undefined && !FINAL_STATES.includes(op.state);
}

function isGone(model: Model, real: Real, id: string): boolean {
    const newest = model.newest.get(id);
    if (!newest) return true;
    return newest.kind === "destroy" && real.built.registry.operation(newest.opId)?.state === "succeeded";
}

const put = (id: string, variant: number) =>
    step(`Put(${id},${variant})`, async (model, real) => {
        const deleting = isDeleting(model, real, id);
        const res = await request(
            real,
            "PUT",
            `/v1/clusters/${id}`,
            body({ gateway: { externalHostnames: ["mla.c1.example.com"], replicas: variant + 2 } }),
        );
        if (deleting) {
            stats.conflicts++;
            expect(res.status, "PUT while deleting").to.equal(409);
            return;
        }
        expect(res.status, JSON.stringify(res.json)).to.equal(202);
        model.newest.set(id, { opId: res.json.operationId, kind: "up", suspended: false });
    });

const del = (id: string) =>
    step(`Delete(${id})`, async (model, real) => {
        const gone = isGone(model, real, id);
        const deleting = isDeleting(model, real, id);
        const res = await request(real, "DELETE", `/v1/clusters/${id}`);
        if (gone) return void expect(res.status).to.equal(404);
        expect(res.status, JSON.stringify(res.json)).to.equal(202);
        if (deleting) expect([res.json.joined, res.json.operationId]).to.deep.equal([true, model.newest.get(id)!.opId]);
        model.newest.set(id, { opId: res.json.operationId, kind: "destroy" });
    });

const suspend = (id: string, suspended: boolean) =>
    step(`${suspended ? "Suspend" : "Resume"}(${id})`, async (model, real) => {
        const gone = isGone(model, real, id);
        const deleting = isDeleting(model, real, id);
        const res = await request(real, "POST", `/v1/clusters/${id}/${suspended ? "suspend" : "resume"}`);
        if (gone) return void expect(res.status).to.equal(404);
        if (deleting) {
            stats.conflicts++;
            return void expect(res.status).to.equal(409);
        }
        if (res.status === 409) return void expect(res.json.error).to.match(/has no stored spec/);
        expect(res.status, JSON.stringify(res.json)).to.equal(202);
        model.newest.set(id, { opId: res.json.operationId, kind: suspended ? "suspend" : "resume", suspended });
    });

const preview = (id: string) =>
    step(`Preview(${id})`, async (model, real) => {
        const deleting = isDeleting(model, real, id);
        const res = await request(real, "POST", `/v1/clusters/${id}/preview`, body());
        expect(res.status, JSON.stringify(res.json)).to.equal(deleting ? 409 : 202);
    });

const cancel = (pick: number) =>
    step(`Cancel(${pick})`, async (_model, real) => {
        const ops = active(real);
        if (ops.length === 0) return;
        const op = ops[pick % ops.length];
        const res = await request(real, "POST", `/v1/operations/${op.id}/cancel`);
        expect(res.status, JSON.stringify(res.json)).to.be.oneOf([200, 202, 409]);
    });

const release = (fail: boolean) =>
    step(`Release(${fail ? "fail" : "ok"})`, async (_model, real) => {
        for (const h of real.held.splice(0)) {
            if (fail) real.failing.add(h.call);
            h.release();
        }
    });

const restart = () =>
    step("Restart", async (_model, real) => {
        stats.restarts++;
        const started = Date.now();
        await real.built.app.close();
        real.held.splice(0); // aborted by the shutdown
        real.built = await open(real);
        stats.restartMs += Date.now() - started;
    });

/**
 * Releases every held call until nothing is queued or running (at most 10 s: an operation may
 * also wait for the disk, e.g. its project stack's record, written asynchronously).
 */
async function settle(real: Real): Promise<void> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && active(real).length > 0;) {
        real.held.splice(0).forEach((h) => h.release());
        await quiesce(real);
        await new Promise((r) => setTimeout(r, 1));
    }
    await quiesce(real);
    expect(active(real), "operations still active after settling").to.deep.equal([]);
}

/** After settling: each cluster is where its newest accepted request put it. */
function checkOutcome(model: Model, real: Real): void {
    const { registry } = real.built;
    const stacks = real.executor.stacks();
    for (const id of IDS) {
        const newest = model.newest.get(id);
        const cluster = registry.cluster(id);
        if (!newest) {
            expect(cluster, `${id} was never accepted`).to.equal(undefined);
            expect(stacks).to.not.include(id);
            continue;
        }
        const op = registry.operation(newest.opId)!;
        if (newest.kind === "destroy" && op.state === "succeeded") {
            expect(cluster, `${id} destroyed but still registered`).to.equal(undefined);
            expect(stacks, `${id} destroyed but its stack remains`).to.not.include(id);
            continue;
        }
        expect(cluster, `${id} lost from the registry`).to.not.equal(undefined);
        const expected = op.state === "succeeded" ? "ready" : op.state;
        expect([id, cluster!.status], `newest operation ${op.kind} ${op.state}`).to.deep.equal([id, expected]);
        if (op.state === "succeeded") {
            expect(stacks).to.include(id);
            if (newest.suspended !== undefined) expect(cluster!.suspended).to.equal(newest.suspended);
        }
    }
}

describe("cluster lifecycle: model-based property test", function () {
    this.timeout(300_000);

    after(() => {
        const commands = [...stats.byCommand.entries()].map(([k, v]) => `${k} ${v}`).join(", ");
        // Recorded in docs/service-store.md.
        console.log(
            `      model test: seed ${SEED}, ${stats.runs} runs, ${stats.steps} steps (${commands}), ${stats.restarts} restarts (${stats.restartMs} ms), ${stats.conflicts} conflicts answered 409`,
        );
    });

    it("keeps the registry and the executor's stacks in agreement through every interleaving", async () => {
        const id = fc.constantFrom(...IDS);
        const commands = fc.commands(
            [
                fc.tuple(id, fc.nat(2)).map(([i, v]) => put(i, v)),
                id.map(del),
                fc.tuple(id, fc.boolean()).map(([i, s]) => suspend(i, s)),
                id.map(preview),
                fc.nat(5).map(cancel),
                fc.boolean().map(release),
                fc.boolean().map(release),
                fc.constant(null).map(restart),
            ],
            { maxCommands: MAX_COMMANDS, size: "max" },
        );
        await fc.assert(
            fc.asyncProperty(commands, async (cmds) => {
                stats.runs++;
                const dataDir = mkdtempSync(join(FAST_TMP, "mla-model-"));
                const held: Real["held"] = [];
                const failing = new WeakSet<MemoryCall>();
                const executor = new MemoryExecutor({
                    delayMs: 0,
                    gate: (call) => new Promise<void>((release) => held.push({ call, release })),
                    failWith: (call) => (failing.has(call) ? "engine failed (model test)" : undefined),
                });
                const real: Real = { dataDir, executor, held, failing, built: await open({ dataDir, executor }) };
                const model: Model = { newest: new Map(), finals: new Map() };
                try {
                    await fc.asyncModelRun(() => ({ model, real }), cmds);
                    await settle(real);
                    checkInvariants(model, real);
                    checkOutcome(model, real);
                } finally {
                    await real.built.app.close();
                    removeDir(dataDir);
                }
            }),
            { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
        );
    });
});
