/**
 * The registry of clusters, operations and sealed specs: SQLite (`better-sqlite3`) in
 * `<dataDir>/registry/registry.db` (tables and statements: `registry-schema.ts`), one writer per
 * data dir.
 *
 * - WAL mode with `synchronous=FULL`: a commit is on disk (fsynced) when it returns.
 * - Reads come from memory; the database is written, never read, while open (a read-only view of
 *   what is committed: `registry-view.ts`).
 * - Group commit (`group-commit.ts`): a write updates memory at once and joins the open batch,
 *   which a worker thread commits as one transaction, off the event loop. Writes made in one
 *   synchronous stretch of code land in the same commit, so a state change spanning several
 *   records (an operation and its cluster) is atomic. Callers that acknowledge anything await
 *   {@link Registry.durable} first: nothing is acknowledged before it is on disk.
 * - The data dir is locked (`data-dir-lock.ts`) from open to close.
 * - First open of a data dir that still has the old JSON-lines journal imports it (and the old
 *   per-file specs) in one transaction, then renames the old files `*.imported`.
 * - Open recovers: operations found `queued` or `running` become `interrupted`, and clusters whose
 *   operation was running are flagged `lockCheckPending` (see `cluster-lifecycle.ts`).
 * - Operation history is bounded (`operation-history.ts`), trimmed at open and as operations finish.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DataDirLock } from "./data-dir-lock";
import type { ReadyCheck } from "../../executors/executor";
import { type ClusterRecord, FINAL_STATES, type OperationRecord } from "../../executors/operation-types";
import { DEFAULT_RETENTION, OperationHistory, type RetentionPolicy } from "./operation-history";
import { GroupCommit } from "./group-commit";
import { importLegacyOnce } from "./registry-legacy";
import { prepareRows, registryPath, type RowChange, type RowStatements, SCHEMA } from "./registry-schema";
import { recoverAfterRestart } from "../operations/cluster-lifecycle";

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
    /** With `group`: pages written between checkpoints, which run after a commit's reply. Defaults to 1,000. */
    checkpointPages?: number;
    /** How much operation history to keep (`operation-history.ts`). Defaults to {@link DEFAULT_RETENTION}. */
    retention?: RetentionPolicy;
}

/**
 * Defaults for every {@link Registry.open} in this process; `bench/service.ts` sets `commit` here
 * to run the service with the per-write peer. Nothing in the service changes it.
 */
export const registryDefaults: RegistryOptions = {};

/** A commit in flight longer than this fails readiness: the disk is not answering. */
const STALLED_COMMIT_MS = 30_000;

/** Clusters, operations and sealed specs, persisted under a data dir. */
export class Registry {
    private readonly clustersById = new Map<string, ClusterRecord>();
    private readonly operations: OperationHistory;
    private readonly specsById = new Map<string, string>();
    /** Seeds registered clusters name, built on first use; a removal rebuilds it (a moved cluster's old seed stays). */
    private seeds: Set<string> | undefined;
    private readonly statements: RowStatements;
    private readonly eventsOfOperation: Database.Statement;
    private commitsTo!: GroupCommit;
    private closed = false;
    /** Operations this open marked `interrupted`. */
    readonly interrupted: OperationRecord[] = [];
    /** Set when this open imported an old JSON-lines journal: the files it read (now `*.imported`). */
    readonly imported: string[] = [];

    private constructor(
        private readonly dataDir: string,
        private readonly db: Database.Database,
        private readonly lock: DataDirLock,
        retention: RetentionPolicy,
    ) {
        this.operations = new OperationHistory(retention);
        this.statements = prepareRows(db);
        this.eventsOfOperation = db.prepare("SELECT event FROM events WHERE operation_id = ? ORDER BY seq").pluck();
    }

    /** Commits so far (transactions), for tests and the benchmark. */
    get commits(): number {
        return this.commitsTo.commits;
    }

    /**
     * Checkpoints of the WAL so far, each run after a commit's reply: completed, and cut short by a
     * reader or an error (then retried after the next commit). For tests and the benchmark.
     */
    get checkpoints(): { completed: number; cutShort: number } {
        return this.commitsTo.checkpoints;
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
            const registry = new Registry(dataDir, db, lock, options.retention ?? DEFAULT_RETENTION);
            registry.load();
            registry.commitsTo = new GroupCommit({
                db,
                statements: registry.statements,
                path: registryPath(dataDir),
                commit: options.commit,
                commitDelayMs: options.commitDelayMs,
                checkpointPages: options.checkpointPages,
            });
            // Not the clusters with operations this open interrupted: their events are appended next.
            const interrupted = new Set(registry.interrupted.map((o) => o.clusterId));
            for (const clusterId of registry.operations.clusterIds())
                if (!interrupted.has(clusterId)) registry.trimOperations(clusterId);
            return registry;
        } catch (e) {
            db?.close();
            lock.release();
            throw e;
        }
    }

    private load(): void {
        const s = this.statements;
        this.imported.push(...importLegacyOnce(this.db, s, this.dataDir));
        for (const r of this.db.prepare("SELECT record FROM clusters").pluck().all() as string[]) {
            const c = JSON.parse(r) as ClusterRecord;
            this.clustersById.set(c.id, c);
        }
        const ops = (this.db.prepare("SELECT record FROM operations").pluck().all() as string[]).map(
            (r) => JSON.parse(r) as OperationRecord,
        );
        ops.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
        for (const o of ops) this.operations.remember(o);
        for (const row of this.db.prepare("SELECT cluster_id, sealed FROM specs").all() as Array<{
            cluster_id: string;
            sealed: string;
        }>) {
            this.specsById.set(row.cluster_id, row.sealed);
        }
        // Recovery is one transaction: a crash during it leaves the state before it, and it reruns.
        const changed = recoverAfterRestart(
            this.operations.all(),
            (id) => this.clustersById.get(id),
            new Date().toISOString(),
        );
        this.db.transaction(() => {
            for (const op of changed.operations) s.putOperation.run(op.id, op.clusterId, JSON.stringify(op));
            for (const c of changed.clusters) s.putCluster.run(c.id, JSON.stringify(c));
        })();
        this.interrupted.push(...changed.operations);
    }

    private write(row: RowChange): void {
        this.commitsTo.write(row);
    }

    /** Resolves once every write made so far is committed (fsynced); rejects if that commit failed. */
    durable(): Promise<void> {
        return this.commitsTo.durable();
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
        this.seeds?.add(copy.seed);
    }

    /** The seed stacks registered clusters are on (or were on, until a cluster is removed). */
    seedsInUse(): ReadonlySet<string> {
        this.seeds ??= new Set([...this.clustersById.values()].map((c) => c.seed));
        return this.seeds;
    }

    /**
     * Forgets a cluster and its sealed spec, in one commit. Its operations stay for the retention
     * period (`operation-history.ts`); those of clusters removed earlier that have passed it go now.
     */
    removeCluster(id: string): void {
        this.write({ table: "clusters", id, value: undefined });
        this.clustersById.delete(id);
        this.seeds = undefined;
        this.removeSpec(id);
        this.trimUnregistered();
    }

    /** Applies the retention policy to the operations of ids without a cluster (the service runs it hourly too). */
    trimUnregistered(): void {
        for (const clusterId of this.operations.clusterIds())
            if (!this.clustersById.has(clusterId)) this.trimOperations(clusterId);
    }

    operation(id: string): OperationRecord | undefined {
        return this.operations.get(id);
    }

    /** A cluster's operations, oldest first. */
    operationsOf(clusterId: string): OperationRecord[] {
        return this.operations.of(clusterId);
    }

    /**
     * Creates or replaces an operation record (durable at the next commit). A cluster's history
     * beyond the retention policy is forgotten in the same commit.
     */
    putOperation(record: OperationRecord): void {
        const copy = { ...record };
        this.write({ table: "operations", id: record.id, value: JSON.stringify(copy), clusterId: record.clusterId });
        this.operations.remember(copy);
        if (FINAL_STATES.includes(copy.state)) this.trimOperations(copy.clusterId);
    }

    /** Applies the retention policy to `clusterId`'s operations, in the open batch: forgotten ones go with their events. */
    private trimOperations(clusterId: string): void {
        const { forgotten, slimmed } = this.operations.trim(clusterId, this.clustersById.get(clusterId), Date.now());
        for (const id of forgotten) {
            this.write({ table: "operations", id, value: undefined });
            this.write({ table: "events", id, value: undefined });
        }
        for (const op of slimmed) this.write({ table: "operations", id: op.id, value: JSON.stringify(op), clusterId });
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
        return this.eventsOfOperation.all(operationId) as string[];
    }

    /**
     * Readiness, without waiting for the disk: the last commit succeeded, none has been stuck
     * for {@link STALLED_COMMIT_MS}, and a probe row joins the next commit (whose failure the
     * next check reports), so an idle registry still proves it can write.
     */
    checkWritable(): ReadyCheck {
        const failure = this.commitsTo.failure;
        if (failure)
            return { name: "registry", ok: false, detail: `a commit failed (${failure.message}); restart the service` };
        if (this.closed) return { name: "registry", ok: false, detail: "closed" };
        const stalled = this.commitsTo.stalledMs();
        if (stalled > STALLED_COMMIT_MS)
            return {
                name: "registry",
                ok: false,
                detail: `a commit to ${registryPath(this.dataDir)} has waited ${Math.round(stalled / 1000)} s`,
            };
        this.write({ table: "meta", id: "probe", value: new Date().toISOString() });
        return { name: "registry", ok: true, detail: `writable: ${registryPath(this.dataDir)}` };
    }

    /** Commits what is pending, closes the database and releases the data dir. Records stay readable in memory. */
    close(): void {
        if (this.closed) return;
        this.closed = true;
        this.commitsTo.close();
        this.db.close();
        this.lock.release();
    }

    /**
     * Closes the database and releases the lock WITHOUT committing the open batch, as a crash
     * would lose it (tests of recovery only; the pending writes were never acknowledged).
     */
    abandon(): void {
        if (this.closed) return;
        this.closed = true;
        this.commitsTo.abandon();
        this.db.close();
        this.lock.release();
    }
}
