/**
 * The registry's committer: a worker thread with its own SQLite connection that commits each
 * batch of rows as one transaction (`synchronous=FULL`: one fsync per batch), so the fsync never
 * blocks the service's event loop. While a batch commits, the next one gathers on the main
 * thread (group commit): the slower the disk, the bigger the batches.
 *
 * The worker is plain JavaScript (`eval`), so it runs the same under ts-node and compiled.
 * After each batch it also bumps a shared counter, so {@link RegistryWriter.waitIdle} can block
 * (`Atomics.wait`) until the batch in flight is on disk, for a synchronous close.
 */
import { Worker } from "node:worker_threads";

/** One row change: `value` undefined deletes the row. */
export interface RowChange {
    table: "clusters" | "operations" | "specs" | "events";
    /** The row's key (for `events`, the operation id). */
    id: string;
    value: string | undefined;
    clusterId?: string;
    /** For `events`: the event's number in its operation's stream. */
    seq?: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const done = new Int32Array(workerData.done);
const db = new Database(workerData.path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 5000");
const s = {
    putCluster: db.prepare("INSERT INTO clusters (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record"),
    delCluster: db.prepare("DELETE FROM clusters WHERE id = ?"),
    putOperation: db.prepare("INSERT INTO operations (id, cluster_id, record) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record"),
    delOperation: db.prepare("DELETE FROM operations WHERE id = ?"),
    putSpec: db.prepare("INSERT INTO specs (cluster_id, sealed) VALUES (?, ?) ON CONFLICT (cluster_id) DO UPDATE SET sealed = excluded.sealed"),
    delSpec: db.prepare("DELETE FROM specs WHERE cluster_id = ?"),
    putEvent: db.prepare("INSERT OR REPLACE INTO events (operation_id, seq, event) VALUES (?, ?, ?)"),
};
const commit = db.transaction((rows) => {
    for (const r of rows) {
        if (r.table === "clusters") r.value === undefined ? s.delCluster.run(r.id) : s.putCluster.run(r.id, r.value);
        else if (r.table === "operations") r.value === undefined ? s.delOperation.run(r.id) : s.putOperation.run(r.id, r.clusterId, r.value);
        else if (r.table === "specs") r.value === undefined ? s.delSpec.run(r.id) : s.putSpec.run(r.id, r.value);
        else s.putEvent.run(r.id, r.seq, r.value);
    }
});
parentPort.on("message", (message) => {
    if (message === "close") {
        db.close();
        parentPort.close();
        return;
    }
    let reply;
    try {
        commit(message);
        reply = { ok: true };
    } catch (e) {
        reply = { ok: false, message: String((e && e.message) || e) };
    }
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
    parentPort.postMessage(reply);
});
`;

/** Commits batches on a worker thread, one at a time, in order. */
export class RegistryWriter {
    private readonly worker: Worker;
    private readonly done = new Int32Array(new SharedArrayBuffer(4));
    private sent = 0;
    private readonly replies: Array<(error: Error | undefined) => void> = [];

    constructor(path: string) {
        this.worker = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: { driver: require.resolve("better-sqlite3"), path, done: this.done.buffer },
        });
        this.worker.on("message", (reply: { ok: boolean; message?: string }) => {
            // Referenced only while a batch is in flight: an idle writer must not keep the process alive.
            if (this.replies.length === 1) this.worker.unref();
            this.replies.shift()?.(reply.ok ? undefined : new Error(reply.message));
        });
        this.worker.on("error", (e) => this.replies.splice(0).forEach((r) => r(e)));
        this.worker.unref();
    }

    /** Whether a batch is being committed now. */
    get busy(): boolean {
        return this.replies.length > 0;
    }

    /** Commits `rows` as one transaction; `settled` gets the error, if any, once it is on disk (or failed). */
    commit(rows: RowChange[], settled: (error: Error | undefined) => void): void {
        this.replies.push(settled);
        this.worker.ref();
        this.sent++;
        this.worker.postMessage(rows);
    }

    /** Blocks until every batch sent so far is committed (or failed), without running the event loop. */
    waitIdle(timeoutMs = 30_000): void {
        const deadline = Date.now() + timeoutMs;
        for (
            let seen = Atomics.load(this.done, 0);
            seen < this.sent && Date.now() < deadline;
            seen = Atomics.load(this.done, 0)
        ) {
            Atomics.wait(this.done, 0, seen, Math.max(1, deadline - Date.now()));
        }
    }

    /** Stops the worker after the batches sent so far (their replies are dropped). */
    close(): void {
        this.worker.postMessage("close");
        this.replies.length = 0;
    }

    /** Stops the worker at once, as a crash would: a batch in flight may or may not be on disk. */
    terminate(): void {
        this.replies.splice(0).forEach((r) => r(new Error("the registry was abandoned")));
        void this.worker.terminate();
    }
}
