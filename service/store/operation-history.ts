/**
 * The registry's operations in memory, by id and by cluster, and how much of that history it
 * keeps, so neither memory (every record is held in
 * memory) nor the database grows with every request the service ever accepted:
 * - a registered cluster keeps its newest {@link RetentionPolicy.perCluster} finished operations,
 *   and besides them its last operation and every queued or running one;
 * - the operations of a removed cluster are kept {@link RetentionPolicy.removedForMs} after they
 *   finished (`GET /v1/operations/{id}` still answers for an offboarding), then forgotten.
 * A forgotten operation's events go with it. Queued and running operations are never forgotten.
 */
import { FINAL_STATES, type ClusterRecord, type OperationRecord } from "../../executors/operation-types";

/** The limits; defaults in {@link RETENTION_DEFAULTS}. */
export interface RetentionPolicy {
    /** Finished operations kept per registered cluster. */
    perCluster: number;
    /** How long a removed cluster's finished operations are kept after they finished, in ms. */
    removedForMs: number;
}

/** The defaults (`MLA_OPERATION_HISTORY`, `MLA_OPERATION_RETENTION_DAYS`). */
export const RETENTION_DEFAULTS = {
    perCluster: 50,
    removedForDays: 30,
} as const;

const DAY_MS = 86_400_000;

/** {@link RETENTION_DEFAULTS} as a policy. */
export const DEFAULT_RETENTION: RetentionPolicy = {
    perCluster: RETENTION_DEFAULTS.perCluster,
    removedForMs: RETENTION_DEFAULTS.removedForDays * DAY_MS,
};

/**
 * The ids of `ops` (one cluster id's operations, oldest first) to forget now. `cluster` is its
 * record, or undefined once the cluster was removed.
 */
export function operationsToForget(
    ops: readonly OperationRecord[],
    cluster: ClusterRecord | undefined,
    nowMs: number,
    policy: RetentionPolicy,
): string[] {
    const finished = ops.filter((o) => FINAL_STATES.includes(o.state));
    if (!cluster)
        return finished
            .filter((o) => nowMs - Date.parse(o.finishedAt ?? o.createdAt) >= policy.removedForMs)
            .map((o) => o.id);
    // A record from before `stackMayExist` needs its history to tell whether its stack may exist.
    if (cluster.stackMayExist === undefined) return [];
    const excess = finished.length - policy.perCluster;
    if (excess <= 0) return [];
    return finished
        .slice(0, excess)
        .filter((o) => o.id !== cluster.lastOperationId)
        .map((o) => o.id);
}

/** Every operation record in memory, by id and by cluster id (oldest first), with the policy that trims it. */
export class OperationHistory {
    private readonly byId = new Map<string, OperationRecord>();
    private readonly idsByCluster = new Map<string, string[]>();

    constructor(readonly policy: RetentionPolicy) {}

    /** Adds or replaces a record. */
    remember(op: OperationRecord): void {
        if (!this.byId.has(op.id)) {
            const ids = this.idsByCluster.get(op.clusterId) ?? [];
            ids.push(op.id);
            this.idsByCluster.set(op.clusterId, ids);
        }
        this.byId.set(op.id, op);
    }

    get(id: string): OperationRecord | undefined {
        return this.byId.get(id);
    }

    /** Every record, in the order remembered. */
    all(): OperationRecord[] {
        return [...this.byId.values()];
    }

    /** A cluster id's operations, oldest first. */
    of(clusterId: string): OperationRecord[] {
        return (this.idsByCluster.get(clusterId) ?? []).map((id) => this.byId.get(id) as OperationRecord);
    }

    /** Cluster ids with operations. */
    clusterIds(): string[] {
        return [...this.idsByCluster.keys()];
    }

    /** Whether `clusterId` holds more operations than the policy keeps finished ones. */
    over(clusterId: string): boolean {
        return (this.idsByCluster.get(clusterId)?.length ?? 0) > this.policy.perCluster;
    }

    /** Drops what the policy no longer keeps of `clusterId`'s operations; returns their ids. */
    trim(clusterId: string, cluster: ClusterRecord | undefined, nowMs: number): string[] {
        const ops = this.of(clusterId);
        const forget = operationsToForget(ops, cluster, nowMs, this.policy);
        if (forget.length === 0) return forget;
        const gone = new Set(forget);
        for (const id of forget) this.byId.delete(id);
        const kept = ops.filter((o) => !gone.has(o.id)).map((o) => o.id);
        if (kept.length > 0) this.idsByCluster.set(clusterId, kept);
        else this.idsByCluster.delete(clusterId);
        return forget;
    }
}
