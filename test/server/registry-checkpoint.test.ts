import { expect } from "chai";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { ClusterRecord } from "../../executors/operation-types";
import { Registry } from "../../service/store/registry";
import { registryPath } from "../../service/store/registry-schema";
import { readRegistry } from "../../service/store/registry-view";
import { CHECKPOINT_PAGES } from "../../service/store/registry-writer";
import { removeDir } from "./support";

/** A cluster record of about one database page (4 KiB), so row changes and WAL pages go together. */
const pageSized = (id: string): ClusterRecord => ({
    id,
    project: "p",
    seed: "s",
    suspended: false,
    status: "ready",
    outputs: { padding: "x".repeat(3800) },
    lockCheckPending: false,
    createdAt: "t",
    updatedAt: "t",
});

/** Writes `batches` commits of `rows` new clusters each (ids from `prefix`), awaiting each one. */
async function commitBatches(registry: Registry, batches: number, rows: number, prefix = "c"): Promise<void> {
    for (let b = 0; b < batches; b++) {
        for (let i = 0; i < rows; i++) registry.putCluster(pageSized(`${prefix}${b}-${i}`));
        await registry.durable();
    }
}

/** Frames in the WAL now, from a second connection (its PASSIVE checkpoint reports them). */
function walFrames(dir: string): number {
    const db = new Database(registryPath(dir));
    const [result] = db.pragma("wal_checkpoint(PASSIVE)") as Array<{ log: number }>;
    db.close();
    return result.log;
}

async function until(condition: () => boolean, what: string): Promise<void> {
    for (const deadline = Date.now() + 5000; !condition();) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
    }
}

describe("Registry checkpoints (after a commit's reply, never inside one)", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mla-checkpoint-"))));
    afterEach(() => removeDir(dir));

    it("leaves SQLite's automatic checkpoint off: no commit copies the WAL back, however far past 1,000 pages it grows", async () => {
        // The writer's own checkpoints pushed out of reach: only an automatic one could run.
        const registry = Registry.open(dir, { checkpointPages: 1e9 });
        await commitBatches(registry, 3, 600);
        // SQLite's default would have checkpointed inside the commit that took the WAL past 1,000
        // pages, and the third batch would have started the WAL over (about 600 frames).
        expect(walFrames(dir)).to.be.greaterThan(1800);
        expect(registry.checkpoints.completed).to.equal(0);
        registry.close();
    });

    it(`checkpoints after replying once ${CHECKPOINT_PAGES} pages have committed, so the WAL stays short`, async () => {
        const registry = Registry.open(dir);
        await commitBatches(registry, 10, 300); // a checkpoint after the 4th and the 8th
        await until(() => registry.checkpoints.completed === 2, "two checkpoints");
        // Only the two batches since the last checkpoint are left in the WAL.
        const frames = walFrames(dir);
        expect(frames).to.be.within(600, CHECKPOINT_PAGES);
        expect(readRegistry(dir)?.clusters).to.have.length(3000);
        registry.close();
        const reopened = Registry.open(dir);
        expect(reopened.clusters()).to.have.length(3000);
        reopened.close();
    });

    it("counts a large row as the pages it fills: 150 specs of 200 KB checkpoint as 1,000 small rows would", async () => {
        const registry = Registry.open(dir);
        const big = (i: number) => JSON.stringify({ sealed: `${i}`.padEnd(200_000, "x") });
        for (let b = 0; b < 15; b++) {
            for (let i = 0; i < 10; i++) registry.putSealedSpec(`c${b}-${i}`, big(b * 10 + i));
            await registry.durable();
        }
        // About 490 pages a batch: a checkpoint after every third. Counted as rows, none would run,
        // and the WAL would hold all 30 MB.
        await until(() => registry.checkpoints.completed === 5, "five checkpoints");
        expect(statSync(`${registryPath(dir)}-wal`).size).to.be.below(12 * 1024 * 1024);
        registry.close();
    });

    it("retries a checkpoint that a reader held back after the next commit, and counts it done only when it is", async () => {
        const registry = Registry.open(dir);
        const reader = new Database(registryPath(dir), { readonly: true });
        reader.prepare("BEGIN").run();
        reader.prepare("SELECT count(*) FROM clusters").get(); // a snapshot from before every write below
        await commitBatches(registry, 5, 300);
        await until(() => registry.checkpoints.cutShort === 2, "two checkpoints cut short");
        expect(registry.checkpoints.completed).to.equal(0);
        reader.prepare("COMMIT").run();
        reader.close();
        await commitBatches(registry, 1, 1, "retry");
        await until(() => registry.checkpoints.completed === 1, "the retried checkpoint");
        // Complete: the next commit that writes a page starts the WAL over.
        await commitBatches(registry, 1, 1, "after");
        expect(walFrames(dir)).to.be.below(10);
        registry.close();
    });

    it("cuts the WAL file back to 16 MiB once it starts over, instead of keeping its largest size", async () => {
        const registry = Registry.open(dir, { checkpointPages: 6000 });
        const big = (i: number) => JSON.stringify({ sealed: `${i}`.padEnd(200_000, "x") });
        const wal = () => statSync(`${registryPath(dir)}-wal`).size;
        for (let b = 0; b < 13; b++) {
            for (let i = 0; i < 10; i++) registry.putSealedSpec(`c${b}-${i}`, big(b * 10 + i));
            await registry.durable();
        }
        await until(() => registry.checkpoints.completed === 1, "the checkpoint");
        expect(wal()).to.be.above(24 * 1024 * 1024); // about 6,400 pages went through it
        await commitBatches(registry, 1, 1, "after"); // starts the WAL over
        expect(wal()).to.be.at.most(16 * 1024 * 1024);
        registry.close();
    });
});
