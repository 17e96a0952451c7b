/**
 * The registry as last committed, read without opening it for writing: `mla preview-fleet` and
 * `readRegistry` callers see what a running service has made durable, and change nothing.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import type { ClusterRecord, OperationRecord } from "../../executors/operation-types";
import { registryPath } from "./registry-schema";

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
