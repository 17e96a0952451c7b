/**
 * Reads the registry format before SQLite, for the one-time import on first start:
 * `<dataDir>/registry/snapshot.json` + `journal.jsonl` (one upsert per line; a line torn by a
 * crash mid-append is ignored) and the encrypted specs in `<dataDir>/specs/<id>.enc`.
 * After a successful import the files are renamed with an `.imported` suffix and kept.
 */
import { existsSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir } from "./atomic-file";
import type Database from "better-sqlite3";
import type { ClusterRecord, OperationRecord } from "../../executors/operation-types";
import type { RowStatements } from "./registry-schema";

type JournalEntry = { cluster: ClusterRecord } | { operation: OperationRecord } | { removeCluster: string };

/** What the old format held. */
export interface LegacyRegistry {
    clusters: Map<string, ClusterRecord>;
    operations: Map<string, OperationRecord>;
    /** Sealed spec JSON by cluster id, as the old spec store wrote it. */
    specs: Map<string, string>;
    /** The files and dirs read, renamed after the import commits. */
    sources: string[];
}

/** Replays the old files, or returns undefined when there are none. Writes nothing. */
export function readLegacyRegistry(dataDir: string): LegacyRegistry | undefined {
    const registryDir = join(dataDir, "registry");
    const snapshotPath = join(registryDir, "snapshot.json");
    const journalPath = join(registryDir, "journal.jsonl");
    const specsDir = join(dataDir, "specs");
    const sources = [snapshotPath, journalPath, specsDir].filter((p) => existsSync(p));
    if (sources.length === 0) return undefined;
    const legacy: LegacyRegistry = { clusters: new Map(), operations: new Map(), specs: new Map(), sources };
    if (existsSync(snapshotPath)) {
        const snap = JSON.parse(readFileSync(snapshotPath, "utf8")) as {
            clusters: ClusterRecord[];
            operations: OperationRecord[];
        };
        snap.clusters.forEach((c) => legacy.clusters.set(c.id, c));
        snap.operations.forEach((o) => legacy.operations.set(o.id, o));
    }
    if (existsSync(journalPath)) {
        for (const line of readFileSync(journalPath, "utf8").split("\n")) {
            if (line.trim() === "") continue;
            let entry: JournalEntry;
            try {
                entry = JSON.parse(line) as JournalEntry;
            } catch {
                continue;
            }
            if ("cluster" in entry) legacy.clusters.set(entry.cluster.id, entry.cluster);
            else if ("operation" in entry) legacy.operations.set(entry.operation.id, entry.operation);
            else legacy.clusters.delete(entry.removeCluster);
        }
    }
    if (existsSync(specsDir)) {
        for (const file of readdirSync(specsDir)) {
            if (file.endsWith(".enc"))
                legacy.specs.set(file.slice(0, -".enc".length), readFileSync(join(specsDir, file), "utf8"));
        }
    }
    return legacy;
}

/** Renames every imported source to `<name>.imported` (kept for inspection, never read again). */
export function retireLegacySources(legacy: LegacyRegistry, dataDir: string): void {
    for (const source of legacy.sources) renameSync(source, `${source}.imported`);
    fsyncDir(join(dataDir, "registry"));
    fsyncDir(dataDir);
}

/**
 * Imports the old files into `db` unless an earlier open did, in one transaction with the
 * `imported` marker (a crash before it commits reruns the import), then renames them. Returns
 * the files read, or nothing when there was nothing to import.
 */
export function importLegacyOnce(db: Database.Database, s: RowStatements, dataDir: string): string[] {
    if (db.prepare("SELECT value FROM meta WHERE key = 'imported'").get() !== undefined) return [];
    const legacy = readLegacyRegistry(dataDir);
    if (!legacy) return [];
    db.transaction(() => {
        for (const c of legacy.clusters.values()) s.putCluster.run(c.id, JSON.stringify(c));
        for (const o of legacy.operations.values()) s.putOperation.run(o.id, o.clusterId, JSON.stringify(o));
        for (const [id, sealed] of legacy.specs) s.putSpec.run(id, sealed);
        s.putMeta.run("imported", JSON.stringify({ at: new Date().toISOString(), from: legacy.sources }));
    })();
    retireLegacySources(legacy, dataDir);
    return legacy.sources;
}
