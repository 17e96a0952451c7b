/**
 * How the registry's writes reach the disk: group commit. A write joins the open batch; on the
 * next turn of the event loop (or after `commitDelayMs`) the batch goes to the writer thread
 * (`registry-writer.ts`), which commits it as ONE transaction (one fsync), off the event loop;
 * while it commits, the next batch gathers. Writes made in one synchronous stretch of code always
 * land in the same batch, so a state change spanning several rows is atomic. {@link
 * GroupCommit.durable} resolves once every write made so far is committed.
 *
 * `per-write` mode commits each write as its own transaction on the main thread instead (the
 * benchmark's peer: same durability, not the same throughput).
 */
import type Database from "better-sqlite3";
import { applyRows, type RowChange, type RowStatements } from "./registry-schema";
import { RegistryWriter } from "./registry-writer";

/** Writes waiting for the next commit: the last value per row (undefined deletes it). */
interface Batch {
    rows: Map<string, RowChange>;
    waiters: Array<{ resolve(): void; reject(e: Error): void }>;
}

const emptyBatch = (): Batch => ({ rows: new Map(), waiters: [] });

/** Where and how the commits run. */
export interface GroupCommitOptions {
    /** The main thread's connection (per-write mode, and the final commit on close). */
    db: Database.Database;
    statements: RowStatements;
    /** The database file, for the writer thread's own connection. */
    path: string;
    /** `group` (default) or `per-write`. */
    commit?: "group" | "per-write";
    /** With `group`: wait this long (ms) for more writes before committing; 0 = next event-loop turn. */
    commitDelayMs?: number;
    /** With `group`: pages written between the writer's checkpoints (`registry-writer.ts`). */
    checkpointPages?: number;
}

/** The batches of one registry. */
export class GroupCommit {
    private batch: Batch = emptyBatch();
    /** The batch the writer is committing now, and since when (ms). */
    private inFlight: (Batch & { since: number }) | undefined;
    private readonly writer: RegistryWriter | undefined;
    private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
    /** Set when a commit failed: memory is then ahead of the disk, and every later write is refused. */
    failure: Error | undefined;
    private closed = false;
    /** Set by {@link GroupCommit.abandon}: later writes are dropped, as a crashed process's would be. */
    private abandoned = false;
    /** Commits so far (transactions), for tests and the benchmark. */
    commits = 0;

    constructor(private readonly options: GroupCommitOptions) {
        if (options.commit !== "per-write") this.writer = new RegistryWriter(options.path, options.checkpointPages);
    }

    /** Checkpoints the writer thread completed, and those a reader or an error cut short (tests, benchmark). */
    get checkpoints(): { completed: number; cutShort: number } {
        return { completed: this.writer?.checkpoints ?? 0, cutShort: this.writer?.checkpointsCutShort ?? 0 };
    }

    /** Adds a row change to the open batch (per-write: commits it now). Throws after a failed commit. */
    write(row: RowChange): void {
        if (this.abandoned) return;
        if (this.closed) throw new Error("the registry is closed");
        if (this.failure) throw new Error(`the registry cannot write: ${this.failure.message}`);
        if (!this.writer) {
            this.commitHere([row]);
            return;
        }
        this.batch.rows.set(
            row.seq === undefined ? `${row.table}\0${row.id}` : `${row.table}\0${row.id}\0${row.seq}`,
            row,
        );
        if (this.timer === undefined) {
            const delay = this.options.commitDelayMs ?? 0;
            this.timer = delay > 0 ? setTimeout(() => this.commit(), delay) : setImmediate(() => this.commit());
        }
    }

    /** Resolves once every write made so far is committed (fsynced); rejects if that commit failed. */
    durable(): Promise<void> {
        if (this.abandoned) return new Promise(() => undefined); // a crashed process acknowledges nothing more
        if (this.failure) return Promise.reject(new Error(`the registry cannot write: ${this.failure.message}`));
        const batch = this.batch.rows.size > 0 ? this.batch : this.inFlight;
        if (!batch) return Promise.resolve();
        return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
    }

    /** How long the batch in flight has been committing (ms), 0 when none is. */
    stalledMs(now = Date.now()): number {
        return this.inFlight ? now - this.inFlight.since : 0;
    }

    /** Commits `rows` as one transaction on the main thread. */
    private commitHere(rows: Iterable<RowChange>): void {
        this.options.db.transaction(() => applyRows(this.options.statements, rows))();
        this.commits++;
    }

    private clearTimer(): void {
        if (this.timer === undefined) return;
        clearTimeout(this.timer as NodeJS.Timeout);
        clearImmediate(this.timer as NodeJS.Immediate);
        this.timer = undefined;
    }

    /** Hands the open batch to the writer unless it is busy (then the reply hands it over). */
    private commit(): void {
        this.clearTimer();
        if (this.inFlight || this.batch.rows.size === 0 || this.closed) {
            if (this.batch.rows.size === 0 && !this.inFlight) this.settle(this.batch, undefined);
            return;
        }
        const batch = (this.inFlight = { ...this.batch, since: Date.now() });
        this.batch = emptyBatch();
        this.writer!.commit([...batch.rows.values()], (error) => {
            this.inFlight = undefined;
            if (!error) this.commits++;
            this.settle(batch, error);
            if (this.batch.rows.size > 0 && !this.closed) this.commit();
        });
    }

    private settle(batch: Batch, error: Error | undefined): void {
        if (error) {
            // Memory is now ahead of the disk: refuse further writes, fail readiness, reject waiters.
            this.failure = error;
            batch.waiters
                .splice(0)
                .forEach((w) => w.reject(new Error(`the registry could not commit: ${error.message}`)));
        } else {
            batch.waiters.splice(0).forEach((w) => w.resolve());
        }
    }

    /** Waits for the batch in flight, then commits what is pending on the main thread. */
    close(): void {
        if (this.closed) return;
        this.clearTimer();
        this.closed = true;
        if (this.writer) {
            this.writer.waitIdle();
            this.writer.close();
        }
        if (this.inFlight) this.settle(this.inFlight, undefined);
        this.inFlight = undefined;
        const batch = this.batch;
        this.batch = emptyBatch();
        if (batch.rows.size > 0) {
            try {
                this.commitHere(batch.rows.values());
                this.settle(batch, undefined);
            } catch (e) {
                this.settle(batch, e as Error);
            }
        }
    }

    /** Drops the open batch and stops the writer at once, as a crash would (tests of recovery). */
    abandon(): void {
        if (this.closed) return;
        this.clearTimer();
        this.abandoned = true;
        this.closed = true;
        this.writer?.terminate();
        this.batch = emptyBatch();
        this.inFlight = undefined;
    }
}
