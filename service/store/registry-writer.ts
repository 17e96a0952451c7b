/**
 * The registry's committer: a worker thread with its own SQLite connection that commits each
 * batch of rows as one transaction (`synchronous=FULL`: one fsync per batch), so the fsync never
 * blocks the service's event loop. While a batch commits, the next one gathers on the main
 * thread (group commit): the slower the disk, the bigger the batches.
 *
 * Checkpoints (copying the WAL back into the database file) run after a reply, never inside a
 * commit. SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL past 1,000
 * pages, so the requests waiting on that commit waited for it too: in `bench:service` it made
 * two or three commits of a burst take 16–22 ms instead of 4–6. Here the writer turns it off and
 * checkpoints (PASSIVE: it never waits for a reader) right after replying, once about
 * {@link CHECKPOINT_PAGES} pages have committed since the last one; the main thread meanwhile
 * gathers the next batch, which queues behind the checkpoint only if it is ready first.
 *
 * The worker is plain JavaScript (`eval`), so it runs the same under ts-node and compiled.
 * After each batch it also bumps a shared counter, so {@link RegistryWriter.waitIdle} can block
 * (`Atomics.wait`) until the batch in flight is on disk, for a synchronous close.
 */
import { Worker } from "node:worker_threads";
import { ROW_SQL, type RowChange } from "./registry-schema";

/**
 * Pages written between checkpoints: SQLite's own default for its automatic checkpoint. The
 * writer counts a row change as the pages its value fills, at least one (a cluster's row lands on
 * a page of its own, its id being the client's; a sealed spec of 8.9 KB fills three), so a few
 * large rows checkpoint as soon as many small ones. The count errs high: operations and events,
 * keyed by ids in creation order, share the last pages.
 */
export const CHECKPOINT_PAGES = 1000;

/** The WAL file is cut back to this after a checkpoint let it start over (SQLite keeps its largest size otherwise). */
const WAL_SIZE_LIMIT = 16 * 1024 * 1024;

/** The worker: the same statements and the same row handling as `applyRows` in registry-schema.ts. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const done = new Int32Array(workerData.done);
const db = new Database(workerData.path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 5000");
db.pragma("wal_autocheckpoint = 0");
db.pragma("journal_size_limit = " + workerData.walSizeLimit);
const pageSize = db.pragma("page_size", { simple: true });
const s = Object.fromEntries(Object.entries(workerData.sql).map(([k, sql]) => [k, db.prepare(sql)]));
let sinceCheckpoint = 0;
const commit = db.transaction((rows) => {
    for (const r of rows) {
        if (r.table === "events") r.value === undefined ? s.delEvents.run(r.id) : s.putEvent.run(r.id, r.seq, r.value);
        else if (r.table === "meta") s.putMeta.run(r.id, r.value);
        else if (r.table === "clusters") r.value === undefined ? s.delCluster.run(r.id) : s.putCluster.run(r.id, r.value);
        else if (r.table === "operations") r.value === undefined ? s.delOperation.run(r.id) : s.putOperation.run(r.id, r.clusterId, r.value);
        else r.value === undefined ? s.delSpec.run(r.id) : s.putSpec.run(r.id, r.value);
    }
});
parentPort.on("message", (message) => {
    if (message === "close") {
        db.close();
        Atomics.add(done, 0, 1);
        Atomics.notify(done, 0);
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
    if (!reply.ok) return;
    for (const r of message) sinceCheckpoint += 1 + Math.floor((r.value === undefined ? 0 : r.value.length) / pageSize);
    if (sinceCheckpoint < workerData.checkpointPages) return;
    // Done only when every frame went back and none was held by a reader (a PASSIVE checkpoint
    // never waits for one); otherwise, or on an error, it is tried again after the next commit,
    // as SQLite's own would be. The rows are safe in the WAL either way.
    try {
        const [r] = db.pragma("wal_checkpoint(PASSIVE)");
        if (r.busy === 0 && r.checkpointed === r.log) {
            sinceCheckpoint = 0;
            Atomics.add(done, 1, 1);
        } else Atomics.add(done, 2, 1);
    } catch {
        Atomics.add(done, 2, 1);
    }
});
`;

/** Commits batches on a worker thread, one at a time, in order. */
export class RegistryWriter {
    private readonly worker: Worker;
    /** [0]: batches committed (or failed), [1]: checkpoints completed, [2]: checkpoints cut short or failed. */
    private readonly done = new Int32Array(new SharedArrayBuffer(12));
    private sent = 0;
    private readonly replies: Array<(error: Error | undefined) => void> = [];

    constructor(path: string, checkpointPages = CHECKPOINT_PAGES) {
        this.worker = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: {
                driver: require.resolve("better-sqlite3"),
                path,
                done: this.done.buffer,
                sql: ROW_SQL,
                checkpointPages,
                walSizeLimit: WAL_SIZE_LIMIT,
            },
        });
        this.worker.on("message", (reply: { ok: boolean; message?: string }) => {
            // Referenced only while a batch is in flight: an idle writer must not keep the process alive.
            if (this.replies.length === 1) this.worker.unref();
            this.replies.shift()?.(reply.ok ? undefined : new Error(reply.message));
        });
        this.worker.on("error", (e) => this.replies.splice(0).forEach((r) => r(e)));
        this.worker.unref();
    }

    /** Checkpoints the writer completed (tests and the benchmark). */
    get checkpoints(): number {
        return Atomics.load(this.done, 1);
    }

    /** Checkpoints a reader held back or an error stopped, each retried after the next commit. */
    get checkpointsCutShort(): number {
        return Atomics.load(this.done, 2);
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

    /**
     * Stops the worker after the batches sent so far (their replies are dropped), and waits until
     * its connection is closed: the WAL is checkpointed and the data dir holds no file of it in use.
     */
    close(): void {
        this.sent++;
        this.worker.postMessage("close");
        this.replies.length = 0;
        this.waitIdle(5_000);
    }

    /** Stops the worker at once, as a crash would: a batch in flight may or may not be on disk. */
    terminate(): void {
        this.replies.splice(0).forEach((r) => r(new Error("the registry was abandoned")));
        void this.worker.terminate();
    }
}
