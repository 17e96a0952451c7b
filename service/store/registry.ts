/**
 * The registry of clusters, operations and sealed specs: SQLite (`better-sqlite3`) in
 * `<dataDir>/registry/registry.db`, one writer per data dir.
 *
 * - WAL mode with `synchronous=FULL`: a commit is on disk (fsynced) when it returns.
 * - Reads come from memory; the database is written, never read, while open.
 * - Group commit: a write updates memory at once and joins the open batch. On the next turn of
 *   the event loop (or after `commitDelayMs`) the batch goes to a worker thread
 *   (`registry-writer.ts`) that commits it as ONE transaction (one fsync), off the event loop;
 *   while it commits, the next batch gathers. Writes made in one synchronous stretch of code
 *   always land in the same batch, so a state change spanning several records (an operation and
 *   its cluster) is atomic. Callers that acknowledge anything await {@link Registry.durable}
 *   first: nothing is acknowledged before it is on disk.
 * - The data dir is locked (`data-dir-lock.ts`) from open to close.
 * - First open of a data dir that still has the old JSON-lines journal imports it (and the old
 *   per-file specs) in one transaction, then renames the old files `*.imported`.
 * - Open recovers: operations found `queued` or `running` become `interrupted`, and clusters whose
 *   operation was running are flagged `lockCheckPending` (see `cluster-lifecycle.ts`).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DataDirLock } from "./data-dir-lock";
import type { ReadyCheck } from "../../executors/executor";
import type { ClusterRecord, OperationRecord } from "../../executors/operation-types";
import { readLegacyRegistry, retireLegacySources } from "./registry-legacy";
import { type RowChange, RegistryWriter } from "./registry-writer";
import { recoverAfterRestart } from "../operations/cluster-lifecycle";

export { writeFileAtomic } from "./atomic-file";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clusters (id TEXT PRIMARY KEY, record TEXT NOT NULL CHECK (json_valid(record)));
CREATE TABLE IF NOT EXISTS operations (id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, record TEXT NOT NULL CHECK (json_valid(record)));
CREATE INDEX IF NOT EXISTS operations_by_cluster ON operations (cluster_id);
CREATE TABLE IF NOT EXISTS specs (cluster_id TEXT PRIMARY KEY, sealed TEXT NOT NULL CHECK (json_valid(sealed)));
CREATE TABLE IF NOT EXISTS events (operation_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL CHECK (json_valid(event)), PRIMARY KEY (operation_id, seq)) WITHOUT ROWID;
`;

/** The registry file inside a data dir. */
export function registryPath(dataDir: string): string {
    return join(dataDir, "registry", "registry.db");
}

/** Writes waiting for the next commit: the last value per row (undefined deletes it). */
interface Batch {
    rows: Map<string, RowChange>;
    waiters: Array<{ resolve(): void; reject(e: Error): void }>;
}

/** How writes reach the disk. */
export interface RegistryOptions {
    /** Shown to a second process refused the data dir. Defaults to "mla serve". */
    purpose?: string;
    /**
     * `group` (default): one transaction per batch of writes. `per-write`: one transaction per
     * write, synchronously (the benchmark's peer; durability is the same, throughput is not).
     */
    commit?: "group" | "per-write";
    /** With `group`: wait this long (ms) for more writes before committing; 0 = next event-loop turn. */
    commitDelayMs?: number;
}

/**
 * Defaults for every {@link Registry.open} in this process; `bench/service.ts` sets `commit` here
 * to run the service with the per-write peer. Nothing in the service changes it.
 */
export const registryDefaults: RegistryOptions = {};

/** A registry's records as last committed, read without opening it for writing. */
export interface RegistryView {
    /** Every cluster, sorted by id. */
    clusters: ClusterRecord[];
    /** Every operation, in no particular order. */
    operations: OperationRecord[];
    /** A cluster's sealed spec (JSON), if any. */
    sealedSpec(clusterId: string): string | undefined;
}

/**
 * Reads `<dataDir>/registry` read-only, without the lock, changing no record: a service may be
 * running (WAL lets a reader see the last committed state while a writer writes). No recovery
 * runs, so a `running` operation stays `running`. Returns undefined when there is no registry.
 */
export function readRegistry(dataDir: string): RegistryView | undefined {
    const path = registryPath(dataDir);
    if (!existsSync(path)) return undefined;
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
        const read = db.transaction(() => ({
            clusters: db.prepare("SELECT record FROM clusters ORDER BY id").pluck().all() as string[],
            operations: db.prepare("SELECT record FROM operations").pluck().all() as string[],
            specs: db.prepare("SELECT cluster_id, sealed FROM specs").all() as Array<{
                cluster_id: string;
                sealed: string;
            }>,
        }));
        const rows = read();
        const specs = new Map(rows.specs.map((r) => [r.cluster_id, r.sealed]));
        return {
            clusters: rows.clusters.map((r) => JSON.parse(r) as ClusterRecord),
            operations: rows.operations.map((r) => JSON.parse(r) as OperationRecord),
            sealedSpec: (id) => specs.get(id),
        };
    } finally {
        db.close();
    }
}

/** Clusters, operations and sealed specs, persisted under a data dir. */
export class Registry {
    private readonly clustersById = new Map<string, ClusterRecord>();
    private readonly operationsById = new Map<string, OperationRecord>();
    private readonly operationIdsByCluster = new Map<string, string[]>();
    private readonly specsById = new Map<string, string>();
    private batch: Batch = { rows: new Map(), waiters: [] };
    /** The batch the writer is committing now. */
    private inFlight: Batch | undefined;
    private writer: RegistryWriter | undefined;
    private commitTimer: NodeJS.Immediate | NodeJS.Timeout | undefined;
    private failure: Error | undefined;
    private closed = false;
    /** Set by {@link Registry.abandon}: later writes are dropped, as a crashed process's would be. */
    private abandoned = false;
    private readonly statements: Record<
        "putCluster" | "delCluster" | "putOperation" | "delOperation" | "putSpec" | "delSpec" | "putEvent" | "eventsOf",
        Database.Statement
    >;
    /** Operations this open marked `interrupted`. */
    readonly interrupted: OperationRecord[] = [];
    /** Set when this open imported an old JSON-lines journal: the files it read (now `*.imported`). */
    readonly imported: string[] = [];
    /** Commits so far (transactions), for tests and the benchmark. */
    commits = 0;

    private constructor(
        private readonly dataDir: string,
        private readonly db: Database.Database,
        private readonly lock: DataDirLock,
        private readonly options: RegistryOptions,
    ) {
        this.statements = {
            putCluster: db.prepare(
                "INSERT INTO clusters (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
            ),
            delCluster: db.prepare("DELETE FROM clusters WHERE id = ?"),
            putOperation: db.prepare(
                "INSERT INTO operations (id, cluster_id, record) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
            ),
            delOperation: db.prepare("DELETE FROM operations WHERE id = ?"),
            putSpec: db.prepare(
                "INSERT INTO specs (cluster_id, sealed) VALUES (?, ?) ON CONFLICT (cluster_id) DO UPDATE SET sealed = excluded.sealed",
            ),
            delSpec: db.prepare("DELETE FROM specs WHERE cluster_id = ?"),
            putEvent: db.prepare("INSERT OR REPLACE INTO events (operation_id, seq, event) VALUES (?, ?, ?)"),
            eventsOf: db.prepare("SELECT event FROM events WHERE operation_id = ? ORDER BY seq").pluck(),
        };
    }

    /**
     * Opens (or creates) the registry under `<dataDir>/registry`, taking the data dir's lock.
     * Throws `DataDirLockedError` naming the holder when another process has it.
     */
    static open(dataDir: string, opened: RegistryOptions = {}): Registry {
        const options = { ...registryDefaults, ...opened };
        mkdirSync(join(dataDir, "registry"), { recursive: true, mode: 0o700 });
        const lock = DataDirLock.acquire(dataDir, options.purpose ?? "mla serve");
        let db: Database.Database | undefined;
        try {
            db = new Database(registryPath(dataDir));
            db.pragma("journal_mode = WAL");
            db.pragma("synchronous = FULL");
            db.pragma("busy_timeout = 5000");
            db.exec(SCHEMA);
            const registry = new Registry(dataDir, db, lock, options);
            registry.load();
            if (options.commit !== "per-write") registry.writer = new RegistryWriter(registryPath(dataDir));
            return registry;
        } catch (e) {
            db?.close();
            lock.release();
            throw e;
        }
    }

    private load(): void {
        // Imported once: the marker commits with the records, so a crash before it reruns the import.
        const importedBefore = this.db.prepare("SELECT value FROM meta WHERE key = 'imported'").get() !== undefined;
        const legacy = importedBefore ? undefined : readLegacyRegistry(this.dataDir);
        if (legacy) {
            this.db.transaction(() => {
                for (const c of legacy.clusters.values()) this.statements.putCluster.run(c.id, JSON.stringify(c));
                for (const o of legacy.operations.values())
                    this.statements.putOperation.run(o.id, o.clusterId, JSON.stringify(o));
                for (const [id, sealed] of legacy.specs) this.statements.putSpec.run(id, sealed);
                this.db
                    .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('imported', ?)")
                    .run(JSON.stringify({ at: new Date().toISOString(), from: legacy.sources }));
            })();
            retireLegacySources(legacy, this.dataDir);
            this.imported.push(...legacy.sources);
        }
        for (const r of this.db.prepare("SELECT record FROM clusters").pluck().all() as string[]) {
            const c = JSON.parse(r) as ClusterRecord;
            this.clustersById.set(c.id, c);
        }
        const ops = (this.db.prepare("SELECT record FROM operations").pluck().all() as string[]).map(
            (r) => JSON.parse(r) as OperationRecord,
        );
        ops.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
        for (const o of ops) this.remember(o);
        for (const row of this.db.prepare("SELECT cluster_id, sealed FROM specs").all() as Array<{
            cluster_id: string;
            sealed: string;
        }>) {
            this.specsById.set(row.cluster_id, row.sealed);
        }
        // Recovery is one transaction: a crash during it leaves the state before it, and it reruns.
        const changed = recoverAfterRestart(
            [...this.operationsById.values()],
            (id) => this.clustersById.get(id),
            new Date().toISOString(),
        );
        this.db.transaction(() => {
            for (const op of changed.operations)
                this.statements.putOperation.run(op.id, op.clusterId, JSON.stringify(op));
            for (const c of changed.clusters) this.statements.putCluster.run(c.id, JSON.stringify(c));
        })();
        this.interrupted.push(...changed.operations);
    }

    private remember(op: OperationRecord): void {
        if (!this.operationsById.has(op.id)) {
            const ids = this.operationIdsByCluster.get(op.clusterId) ?? [];
            ids.push(op.id);
            this.operationIdsByCluster.set(op.clusterId, ids);
        }
        this.operationsById.set(op.id, op);
    }

    private write(row: RowChange): void {
        if (this.abandoned) return;
        if (this.closed) throw new Error("the registry is closed");
        if (this.failure) throw new Error(`the registry cannot write: ${this.failure.message}`);
        if (this.options.commit === "per-write") {
            this.commitRows([row]);
            return;
        }
        this.batch.rows.set(
            row.seq === undefined ? `${row.table}\0${row.id}` : `${row.table}\0${row.id}\0${row.seq}`,
            row,
        );
        if (this.commitTimer === undefined) {
            const delay = this.options.commitDelayMs ?? 0;
            this.commitTimer = delay > 0 ? setTimeout(() => this.commit(), delay) : setImmediate(() => this.commit());
        }
    }

    private commitRows(rows: Iterable<RowChange>): void {
        const s = this.statements;
        this.db.transaction(() => {
            for (const r of rows) {
                if (r.table === "events") s.putEvent.run(r.id, r.seq, r.value);
                else if (r.value === undefined)
                    (r.table === "clusters" ? s.delCluster : r.table === "operations" ? s.delOperation : s.delSpec).run(
                        r.id,
                    );
                else if (r.table === "operations") s.putOperation.run(r.id, r.clusterId, r.value);
                else (r.table === "clusters" ? s.putCluster : s.putSpec).run(r.id, r.value);
            }
        })();
        this.commits++;
    }

    private clearTimer(): void {
        if (this.commitTimer === undefined) return;
        clearTimeout(this.commitTimer as NodeJS.Timeout);
        clearImmediate(this.commitTimer as NodeJS.Immediate);
        this.commitTimer = undefined;
    }

    /** Hands the open batch to the writer unless it is busy (then the reply hands it over). */
    private commit(): void {
        this.clearTimer();
        if (this.inFlight || this.batch.rows.size === 0 || this.closed) {
            if (this.batch.rows.size === 0 && !this.inFlight) this.settle(this.batch, undefined);
            return;
        }
        const batch = (this.inFlight = this.batch);
        this.batch = { rows: new Map(), waiters: [] };
        if (!this.writer) throw new Error("no writer");
        this.writer.commit([...batch.rows.values()], (error) => {
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

    /** Resolves once every write made so far is committed (fsynced); rejects if that commit failed. */
    durable(): Promise<void> {
        if (this.abandoned) return new Promise(() => undefined); // a crashed process acknowledges nothing more
        if (this.failure) return Promise.reject(new Error(`the registry cannot write: ${this.failure.message}`));
        const batch = this.batch.rows.size > 0 ? this.batch : this.inFlight;
        if (!batch) return Promise.resolve();
        return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
    }

    /** All clusters, sorted by id. */
    clusters(): ClusterRecord[] {
        return [...this.clustersById.values()].sort((a, b) => a.id.localeCompare(b.id));
    }

    cluster(id: string): ClusterRecord | undefined {
        return this.clustersById.get(id);
    }

    /** Creates or replaces a cluster record (durable at the next commit). */
    putCluster(record: ClusterRecord): void {
        const copy = { ...record };
        this.write({ table: "clusters", id: record.id, value: JSON.stringify(copy) });
        this.clustersById.set(record.id, copy);
    }

    /** Forgets a cluster, its operations and its sealed spec, in one commit. */
    removeCluster(id: string): void {
        this.write({ table: "clusters", id, value: undefined });
        this.clustersById.delete(id);
        this.removeSpec(id);
    }

    operation(id: string): OperationRecord | undefined {
        return this.operationsById.get(id);
    }

    /** A cluster's operations, oldest first. */
    operationsOf(clusterId: string): OperationRecord[] {
        return (this.operationIdsByCluster.get(clusterId) ?? []).map(
            (id) => this.operationsById.get(id) as OperationRecord,
        );
    }

    /** Creates or replaces an operation record (durable at the next commit). */
    putOperation(record: OperationRecord): void {
        const copy = { ...record };
        this.write({ table: "operations", id: record.id, value: JSON.stringify(copy), clusterId: record.clusterId });
        this.remember(copy);
    }

    /** A cluster's sealed (encrypted) spec, as `spec-store.ts` wrote it. */
    sealedSpec(clusterId: string): string | undefined {
        return this.specsById.get(clusterId);
    }

    /** Stores a sealed spec (durable at the next commit). */
    putSealedSpec(clusterId: string, sealed: string): void {
        this.write({ table: "specs", id: clusterId, value: sealed });
        this.specsById.set(clusterId, sealed);
    }

    removeSpec(clusterId: string): void {
        if (!this.specsById.has(clusterId)) return;
        this.write({ table: "specs", id: clusterId, value: undefined });
        this.specsById.delete(clusterId);
    }

    /** Appends one progress event (JSON) of an operation (durable at the next commit). */
    appendEvent(operationId: string, seq: number, event: string): void {
        this.write({ table: "events", id: operationId, value: event, seq });
    }

    /** An operation's committed events (JSON), in order. Events still in the open batch are not included. */
    eventsOf(operationId: string): string[] {
        if (this.closed) return [];
        return this.statements.eventsOf.all(operationId) as string[];
    }

    /** Readiness: the last commit succeeded and the database answers a write transaction. */
    checkWritable(): ReadyCheck {
        if (this.failure)
            return {
                name: "registry",
                ok: false,
                detail: `a commit failed (${this.failure.message}); restart the service`,
            };
        if (this.closed) return { name: "registry", ok: false, detail: "closed" };
        try {
            this.db
                .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', ?)")
                .run(new Date().toISOString());
            return { name: "registry", ok: true, detail: `writable: ${registryPath(this.dataDir)}` };
        } catch (e) {
            return {
                name: "registry",
                ok: false,
                detail: `cannot write ${registryPath(this.dataDir)}: ${(e as { code?: string }).code ?? "error"}`,
            };
        }
    }

    /** Commits what is pending, closes the database and releases the data dir. Records stay readable in memory. */
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
        this.batch = { rows: new Map(), waiters: [] };
        if (batch.rows.size > 0) {
            try {
                this.commitRows(batch.rows.values());
                this.settle(batch, undefined);
            } catch (e) {
                this.settle(batch, e as Error);
            }
        }
        this.db.close();
        this.lock.release();
    }

    /**
     * Closes the database and releases the lock WITHOUT committing the open batch, as a crash
     * would lose it (tests of recovery only; the pending writes were never acknowledged).
     */
    abandon(): void {
        if (this.closed) return;
        this.clearTimer();
        this.abandoned = true;
        this.closed = true;
        this.writer?.terminate();
        this.batch = { rows: new Map(), waiters: [] };
        this.inFlight = undefined;
        this.db.close();
        this.lock.release();
    }
}
