import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { ClusterRecord } from "../../executors/operation-types";
import { Registry } from "../../service/store/registry";
import { registryPath } from "../../service/store/registry-schema";
import { readRegistry } from "../../service/store/registry-view";
import { CHECKPOINT_ROWS } from "../../service/store/registry-writer";
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

/** Writes `batches` commits of `rows` clusters each, awaiting each one. */
async function commitBatches(registry: Registry, batches: number, rows: number): Promise<void> {
    for (let b = 0; b < batches; b++) {
        for (let i = 0; i < rows; i++) registry.putCluster(pageSized(`c${b}-${i}`));
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
        const registry = Registry.open(dir, { checkpointRows: 1e9 });
        await commitBatches(registry, 3, 600);
        // SQLite's default would have checkpointed inside the commit that took the WAL past 1,000
        // pages, and the third batch would have started the WAL over (about 600 frames).
        expect(walFrames(dir)).to.be.greaterThan(1800);
        expect(registry.checkpoints).to.equal(0);
        registry.close();
    });

    it(`checkpoints after replying once ${CHECKPOINT_ROWS} row changes have committed, so the WAL stays short`, async () => {
        const registry = Registry.open(dir);
        await commitBatches(registry, 10, 300); // a checkpoint after the 4th and the 8th
        await until(() => registry.checkpoints === 2, "two checkpoints");
        // Only the two batches since the last checkpoint are left in the WAL.
        const frames = walFrames(dir);
        expect(frames).to.be.within(600, CHECKPOINT_ROWS);
        expect(readRegistry(dir)?.clusters).to.have.length(3000);
        registry.close();
        const reopened = Registry.open(dir);
        expect(reopened.clusters()).to.have.length(3000);
        reopened.close();
    });
});
