/**
 * The registry's operations in memory, by id and by cluster, and how much of that history it
 * keeps, so neither memory (every record is held in memory) nor the database grows with every
 * request the service ever accepted:
 * - a registered cluster keeps its newest {@link RetentionPolicy.perCluster} finished operations,
 *   and besides them its last operation and every queued or running one;
 * - only the newest {@link RetentionPolicy.withStepsPerCluster} finished operations of a cluster
 *   keep their per-resource steps (a preview lists every resource of the stack, tens of KB); older
 *   ones keep their change summary;
 * - the operations of a removed cluster (or of an id only ever previewed) are kept
 *   {@link RetentionPolicy.removedForMs} after they finished (`GET /v1/operations/{id}` still
 *   answers for an offboarding), at most {@link RetentionPolicy.perCluster} of them, then forgotten;
 *   the service sweeps for them hourly.
 * A forgotten operation's events go with it. Queued and running operations are never forgotten.
 */
import { FINAL_STATES, type ClusterRecord, type OperationRecord } from "../../executors/operation-types";

/** The limits; defaults in {@link RETENTION_DEFAULTS}. */
export interface RetentionPolicy {
    /** Finished operations kept per registered cluster. */
    perCluster: number;
    /** Finished operations per cluster that keep their steps. */
    withStepsPerCluster: number;
    /** How long a removed cluster's finished operations are kept after they finished, in ms. */
    removedForMs: number;
}

/** The defaults (`MLA_OPERATION_HISTORY`, `MLA_OPERATION_RETENTION_DAYS`). */
export const RETENTION_DEFAULTS = {
    perCluster: 50,
    withStepsPerCluster: 5,
    removedForDays: 30,
} as const;

const DAY_MS = 86_400_000;

/** How often the service sweeps the operations of ids without a cluster. */
export const RETENTION_SWEEP_MS = 3_600_000;

/** {@link RETENTION_DEFAULTS} as a policy. */
export const DEFAULT_RETENTION: RetentionPolicy = {
    perCluster: RETENTION_DEFAULTS.perCluster,
    withStepsPerCluster: RETENTION_DEFAULTS.withStepsPerCluster,
    removedForMs: RETENTION_DEFAULTS.removedForDays * DAY_MS,
};

/**
 * The ids of `ops` (one cluster id's operations) to forget now. `cluster` is its record, or
 * undefined once the cluster was removed.
 */
export function operationsToForget(
    ops: readonly OperationRecord[],
    cluster: ClusterRecord | undefined,
    nowMs: number,
    policy: RetentionPolicy,
): string[] {
    const finished = finishedByFinish(ops);
    // An id without a cluster (removed, or only ever previewed): kept for the period, and at most
    // as many as a cluster keeps.
    if (!cluster)
        return finished
            .filter(
                (o, i) =>
                    i < finished.length - policy.perCluster || nowMs - Date.parse(finishTime(o)) >= policy.removedForMs,
            )
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

/** The finished operations of `ops` that should lose their steps now: all but the newest few to finish. */
export function operationsToSlim(ops: readonly OperationRecord[], policy: RetentionPolicy): OperationRecord[] {
    const finished = finishedByFinish(ops);
    return finished
        .slice(0, Math.max(0, finished.length - policy.withStepsPerCluster))
        .filter((o) => o.result?.steps !== undefined);
}

const finishTime = (o: OperationRecord): string => o.finishedAt ?? o.createdAt;

/**
 * The finished operations, oldest finish first: "newest" means newest to finish, so an operation
 * that finished just now (a long preview overtaken by later requests) is never the one trimmed.
 */
function finishedByFinish(ops: readonly OperationRecord[]): OperationRecord[] {
    return ops
        .filter((o) => FINAL_STATES.includes(o.state))
        .sort((a, b) => (finishTime(a) < finishTime(b) ? -1 : finishTime(a) > finishTime(b) ? 1 : 0));
}

/** `op` without its steps (the change summary and outputs stay). */
function withoutSteps(op: OperationRecord): OperationRecord {
    const { steps: _steps, ...result } = op.result ?? {};
    return { ...op, result };
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

    /**
     * Applies the policy to `clusterId`'s operations: returns the ids it forgot, and the records
     * it replaced by ones without steps (for the caller to store).
     */
    trim(
        clusterId: string,
        cluster: ClusterRecord | undefined,
        nowMs: number,
    ): { forgotten: string[]; slimmed: OperationRecord[] } {
        const ops = this.of(clusterId);
        const forgotten = operationsToForget(ops, cluster, nowMs, this.policy);
        const gone = new Set(forgotten);
        for (const id of forgotten) this.byId.delete(id);
        const kept = ops.filter((o) => !gone.has(o.id));
        if (gone.size > 0 && kept.length > 0)
            this.idsByCluster.set(
                clusterId,
                kept.map((o) => o.id),
            );
        else if (gone.size > 0) this.idsByCluster.delete(clusterId);
        const slimmed = operationsToSlim(kept, this.policy).map(withoutSteps);
        for (const op of slimmed) this.byId.set(op.id, op);
        return { forgotten, slimmed };
    }
}
