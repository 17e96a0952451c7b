/**
 * The embedded registry of clusters and operations: durable, dependency-free.
 *
 * Storage under `<dataDir>/registry/`:
 * - `snapshot.json`: every record, written to a temp file, fsynced, then renamed over the old one
 *   (rename is atomic on POSIX), then the directory is fsynced;
 * - `journal.jsonl`: one upsert per line, appended and fsynced before the call returns.
 * Opening replays snapshot + journal (a torn last line from a crash is ignored), compacts both
 * into a new snapshot and truncates the journal. Operations found `queued` or `running` become
 * `interrupted`, and clusters whose operation was running are flagged `lockCheckPending`.
 * One service process per data dir: scale out with a shared backend instead (README, "The onboarding service").
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { ReadyCheck } from "./executor";
import type { ClusterRecord, OperationRecord } from "./operation-types";

type JournalEntry = { cluster: ClusterRecord } | { operation: OperationRecord } | { removeCluster: string };

interface Snapshot {
    clusters: ClusterRecord[];
    operations: OperationRecord[];
}

function fsyncDir(dir: string): void {
    const fd = openSync(dir, "r");
    try {
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

/** Writes `text` to `path` atomically and durably. */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w", mode);
    try {
        writeSync(fd, text);
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
    renameSync(tmp, path);
    fsyncDir(join(path, ".."));
}

/**
 * Replays `snapshot.json` plus `journal.jsonl` of a registry dir into the maps, writing nothing.
 * A line torn by a crash mid-append is ignored; everything before it is intact.
 */
function replayRegistry(dir: string, clusters: Map<string, ClusterRecord>, operations: Map<string, OperationRecord>): void {
    const snapshotPath = join(dir, "snapshot.json");
    const journalPath = join(dir, "journal.jsonl");
    if (existsSync(snapshotPath)) {
        const snap = JSON.parse(readFileSync(snapshotPath, "utf8")) as Snapshot;
        snap.clusters.forEach((c) => clusters.set(c.id, c));
        snap.operations.forEach((o) => operations.set(o.id, o));
    }
    if (!existsSync(journalPath)) return;
    for (const line of readFileSync(journalPath, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        let entry: JournalEntry;
        try {
            entry = JSON.parse(line) as JournalEntry;
        } catch {
            continue;
        }
        if ("cluster" in entry) clusters.set(entry.cluster.id, entry.cluster);
        else if ("operation" in entry) operations.set(entry.operation.id, entry.operation);
        else clusters.delete(entry.removeCluster);
    }
}

/** A registry's records as last written, read without opening it for writing. */
export interface RegistryView {
    /** Every cluster, sorted by id. */
    clusters: ClusterRecord[];
    /** Every operation, in no particular order. */
    operations: OperationRecord[];
}

/**
 * Reads `<dataDir>/registry` without changing anything: no compaction, no journal truncation, no
 * recovery of interrupted operations (a `running` operation stays `running`). Unlike
 * {@link Registry.open}, this never disturbs a service; while a service runs it only appends whole
 * journal lines, so a reader sees a consistent prefix. The one window where a reader can see a
 * mix is a service's start, which rewrites the snapshot and then truncates the journal.
 * Returns undefined when there is no registry dir.
 */
export function readRegistry(dataDir: string): RegistryView | undefined {
    const dir = join(dataDir, "registry");
    if (!existsSync(dir)) return undefined;
    const clusters = new Map<string, ClusterRecord>();
    const operations = new Map<string, OperationRecord>();
    replayRegistry(dir, clusters, operations);
    return { clusters: [...clusters.values()].sort((a, b) => a.id.localeCompare(b.id)), operations: [...operations.values()] };
}

/** Clusters and operations, persisted under a data dir. */
export class Registry {
    private readonly clustersById = new Map<string, ClusterRecord>();
    private readonly operationsById = new Map<string, OperationRecord>();
    private journalFd: number;
    /** Operations this open marked `interrupted`. */
    readonly interrupted: OperationRecord[] = [];

    private constructor(private readonly dir: string) {
        this.load();
        this.recover();
        writeFileAtomic(this.snapshotPath, JSON.stringify(this.snapshot()));
        this.journalFd = openSync(this.journalPath, "w", 0o600);
        fsyncSync(this.journalFd);
    }

    /** Opens (or creates) the registry under `<dataDir>/registry`. */
    static open(dataDir: string): Registry {
        const dir = join(dataDir, "registry");
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        return new Registry(dir);
    }

    private get snapshotPath(): string {
        return join(this.dir, "snapshot.json");
    }

    private get journalPath(): string {
        return join(this.dir, "journal.jsonl");
    }

    private load(): void {
        replayRegistry(this.dir, this.clustersById, this.operationsById);
    }

    private recover(): void {
        const now = new Date().toISOString();
        for (const op of this.operationsById.values()) {
            if (op.state !== "queued" && op.state !== "running") continue;
            const wasRunning = op.state === "running";
            op.state = "interrupted";
            op.finishedAt = now;
            op.error = {
                code: "interrupted",
                status: 409,
                message: wasRunning
                    ? "the service stopped while this operation ran; the stack's lock is cleared before its next operation"
                    : "the service stopped before this operation started; send the request again",
            };
            this.interrupted.push(op);
            const cluster = this.clustersById.get(op.clusterId);
            if (cluster && wasRunning) {
                cluster.lockCheckPending = true;
                cluster.status = "interrupted";
                cluster.updatedAt = now;
            }
        }
    }

    private snapshot(): Snapshot {
        return { clusters: [...this.clustersById.values()], operations: [...this.operationsById.values()] };
    }

    private append(entry: JournalEntry): void {
        writeSync(this.journalFd, `${JSON.stringify(entry)}\n`);
        fsyncSync(this.journalFd);
    }

    /** All clusters, sorted by id. */
    clusters(): ClusterRecord[] {
        return [...this.clustersById.values()].sort((a, b) => a.id.localeCompare(b.id));
    }

    cluster(id: string): ClusterRecord | undefined {
        return this.clustersById.get(id);
    }

    /** Creates or replaces a cluster record durably. */
    putCluster(record: ClusterRecord): void {
        this.append({ cluster: record });
        this.clustersById.set(record.id, { ...record });
    }

    removeCluster(id: string): void {
        this.append({ removeCluster: id });
        this.clustersById.delete(id);
    }

    operation(id: string): OperationRecord | undefined {
        return this.operationsById.get(id);
    }

    /** A cluster's operations, oldest first. */
    operationsOf(clusterId: string): OperationRecord[] {
        return [...this.operationsById.values()].filter((o) => o.clusterId === clusterId);
    }

    /** Creates or replaces an operation record durably. */
    putOperation(record: OperationRecord): void {
        this.append({ operation: record });
        this.operationsById.set(record.id, { ...record });
    }

    /** Readiness: a probe file can be written and fsynced next to the journal. */
    checkWritable(): ReadyCheck {
        const probe = join(this.dir, ".probe");
        try {
            writeFileSync(probe, "ok", { mode: 0o600 });
            unlinkSync(probe);
            return { name: "registry", ok: true, detail: `writable: ${this.dir}` };
        } catch (e) {
            return { name: "registry", ok: false, detail: `cannot write ${this.dir}: ${(e as NodeJS.ErrnoException).code ?? "error"}` };
        }
    }

    /** Closes the journal; records stay readable in memory. */
    close(): void {
        closeSync(this.journalFd);
    }
}
