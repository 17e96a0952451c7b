/**
 * `npm run bench:registry`: what one group commit of a burst costs the registry, with operation
 * ids in creation order (`v7`, as the service makes them: `operation-id.ts`) beside random ones
 * (`v4`, `randomUUID`, as it made them before), side by side in one run.
 *
 * Each row has its own registry (`Registry.open`, the real writer thread, on the real disk),
 * filled first with MLA_BENCH_CLUSTERS (default 4,000) clusters as the service leaves them:
 * cluster, operation, sealed spec (8.9 KB) and 10 events each. Then MLA_BENCH_BATCHES (default
 * 40) batches, alternating between the rows, each what one wave of 100 accepted onboardings
 * writes: 100 operations, their clusters and their first events, timed from the first write to
 * `durable()`, 30 ms apart. Cluster ids are random in both rows, as clients choose them.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterRecord, OperationRecord } from "../executors/operation-types";
import { operationIdGenerator } from "../service/operations/operation-id";
import { Registry } from "../service/store/registry";
import { fmt, stats } from "./support/stats";

const CLUSTERS = Number(process.env.MLA_BENCH_CLUSTERS ?? "4000");
const BATCHES = Number(process.env.MLA_BENCH_BATCHES ?? "40");
const PER_BATCH = 100;
const PAUSE_MS = 30;

interface Row {
    name: "v7" | "v4";
    newId: () => string;
    registry: Registry;
    dir: string;
    ms: number[];
}

const now = () => new Date().toISOString();
const cluster = (id: string, op: string): ClusterRecord => ({
    id,
    project: "bench",
    seed: "seed-a",
    suspended: false,
    status: "pending",
    outputs: {},
    lockCheckPending: false,
    lastOperationId: op,
    createdAt: now(),
    updatedAt: now(),
});
const operation = (id: string, clusterId: string): OperationRecord => ({
    id,
    clusterId,
    kind: "up",
    state: "queued",
    createdAt: now(),
});
const event = (seq: number) => JSON.stringify({ seq, time: now(), type: "log", message: "x".repeat(60) });
/** As `spec-store.ts` seals one: JSON around the ciphertext of a 6.6 KB spec. */
const sealed = () =>
    JSON.stringify({ v: 1, iv: randomBytes(12).toString("base64"), data: randomBytes(6600).toString("base64") });

/** Writes one accepted onboarding: operation, cluster, `events` events and, when `spec`, a sealed spec. */
function accept(row: Row, events: number, spec: boolean): void {
    const id = `c-${randomBytes(6).toString("hex")}`;
    const op = row.newId();
    row.registry.putOperation(operation(op, id));
    row.registry.putCluster(cluster(id, op));
    if (spec) row.registry.putSealedSpec(id, sealed());
    for (let seq = 1; seq <= events; seq++) row.registry.appendEvent(op, seq, event(seq));
}

async function main(): Promise<void> {
    const rows: Row[] = [
        { name: "v7", newId: operationIdGenerator() },
        { name: "v4", newId: randomUUID },
    ].map((r) => {
        const dir = mkdtempSync(join(tmpdir(), `mla-bench-registry-${r.name}-`));
        return { ...(r as Pick<Row, "name" | "newId">), dir, registry: Registry.open(dir), ms: [] };
    });
    try {
        for (const row of rows) {
            for (let n = 0; n < CLUSTERS; n += PER_BATCH) {
                for (let i = 0; i < PER_BATCH; i++) accept(row, 10, true);
                await row.registry.durable();
            }
        }
        console.log(
            `bench:registry: ${BATCHES} batches of ${PER_BATCH} accepted operations per row (operation, cluster, first event), alternating, over ${CLUSTERS} clusters each`,
        );
        for (let b = 0; b < BATCHES; b++) {
            for (const row of b % 2 ? [...rows].reverse() : rows) {
                // As in the service, where the next wave takes 30 ms or more to gather: a
                // checkpoint after the last reply is done by then, and does not overlap this batch.
                await new Promise((r) => setTimeout(r, PAUSE_MS));
                const t0 = process.hrtime.bigint();
                for (let i = 0; i < PER_BATCH; i++) accept(row, 1, false);
                await row.registry.durable();
                row.ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
            }
        }
        // Closed first: a checkpoint after the last reply has then finished, and is counted.
        for (const row of rows) row.registry.close();
        for (const row of rows) {
            const { completed, cutShort } = row.registry.checkpoints;
            console.log(
                `  ${row.name}: commit ms, median [min–max]: ${fmt(row.ms)}; checkpoints ${completed} (${cutShort} cut short)`,
            );
        }
        const [v7, v4] = rows.map((r) => stats(r.ms).median);
        console.log(`ratio v7/v4 (median commit): ${(v7 / v4).toFixed(2)}`);
    } finally {
        for (const row of rows) {
            row.registry.close();
            rmSync(row.dir, { recursive: true, force: true });
        }
    }
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
