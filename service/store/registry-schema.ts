/**
 * The registry's database: where it lives, its tables, and the statements that write one row
 * change. The main thread (`registry.ts`) and the writer thread (`registry-writer.ts`) prepare
 * the same statements from {@link ROW_SQL}.
 */
import { join } from "node:path";
import type Database from "better-sqlite3";

/**
 * The tables; every record column must hold valid JSON, so a half-written record cannot be stored.
 * Rows are only ever read whole (at open, and by `registry-view.ts`), so no table has an index
 * beyond its key: the index on `operations.cluster_id` that earlier versions created is dropped,
 * since every operation write paid for it (a page per row, its cluster ids being random).
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clusters (id TEXT PRIMARY KEY, record TEXT NOT NULL CHECK (json_valid(record)));
CREATE TABLE IF NOT EXISTS operations (id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, record TEXT NOT NULL CHECK (json_valid(record)));
DROP INDEX IF EXISTS operations_by_cluster;
CREATE TABLE IF NOT EXISTS specs (cluster_id TEXT PRIMARY KEY, sealed TEXT NOT NULL CHECK (json_valid(sealed)));
CREATE TABLE IF NOT EXISTS events (operation_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL CHECK (json_valid(event)), PRIMARY KEY (operation_id, seq)) WITHOUT ROWID;
`;

/** The registry file inside a data dir. */
export function registryPath(dataDir: string): string {
    return join(dataDir, "registry", "registry.db");
}

/** One row change: `value` undefined deletes the row (for `events`, every event of the operation). */
export interface RowChange {
    table: "clusters" | "operations" | "specs" | "events" | "meta";
    /** The row's key (for `events`, the operation id). */
    id: string;
    value: string | undefined;
    clusterId?: string;
    /** For `events`: the event's number in its operation's stream. */
    seq?: number;
}

/** The statement of each kind of row change. */
export const ROW_SQL = {
    putCluster:
        "INSERT INTO clusters (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
    delCluster: "DELETE FROM clusters WHERE id = ?",
    putOperation:
        "INSERT INTO operations (id, cluster_id, record) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
    delOperation: "DELETE FROM operations WHERE id = ?",
    putSpec:
        "INSERT INTO specs (cluster_id, sealed) VALUES (?, ?) ON CONFLICT (cluster_id) DO UPDATE SET sealed = excluded.sealed",
    delSpec: "DELETE FROM specs WHERE cluster_id = ?",
    putEvent: "INSERT OR REPLACE INTO events (operation_id, seq, event) VALUES (?, ?, ?)",
    delEvents: "DELETE FROM events WHERE operation_id = ?",
    putMeta: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
} as const;

/** {@link ROW_SQL}, prepared on one connection. */
export type RowStatements = Record<keyof typeof ROW_SQL, Database.Statement>;

export function prepareRows(db: Database.Database): RowStatements {
    return Object.fromEntries(Object.entries(ROW_SQL).map(([k, sql]) => [k, db.prepare(sql)])) as RowStatements;
}

/** Writes `rows` with `s` (the caller holds the transaction). */
export function applyRows(s: RowStatements, rows: Iterable<RowChange>): void {
    for (const r of rows) {
        if (r.table === "events" && r.value === undefined) s.delEvents.run(r.id);
        else if (r.table === "events") s.putEvent.run(r.id, r.seq, r.value);
        else if (r.table === "meta") s.putMeta.run(r.id, r.value);
        else if (r.value === undefined)
            (r.table === "clusters" ? s.delCluster : r.table === "operations" ? s.delOperation : s.delSpec).run(r.id);
        else if (r.table === "operations") s.putOperation.run(r.id, r.clusterId, r.value);
        else (r.table === "clusters" ? s.putCluster : s.putSpec).run(r.id, r.value);
    }
}
