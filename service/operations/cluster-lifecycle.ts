/**
 * The cluster lifecycle: every allowed transition, and who may cause it, as the functions the
 * service and the registry call. `cluster-transitions.ts` holds the same table as data
 * (docs/service-store.md shows it, and a test checks these functions against it).
 *
 * Generations: every accepted lifecycle request (PUT, suspend, resume, DELETE) increments the
 * cluster's `generation` and stamps its operation with it. An operation's finish moves the
 * cluster's status only when it is the newest request (`op.generation === cluster.generation`);
 * an older operation finishing late cannot overwrite a newer request's state. Previews carry no
 * generation and never move the status.
 *
 * `stackMayExist` is set (durably, before the engine is called) when an operation on a
 * registered cluster starts running. While it is unset and nothing is queued or running, the
 * stack was never created and the cluster can be removed without the engine.
 */
import type {
    ClusterRecord,
    ClusterStatus,
    OperationKind,
    OperationRecord,
    OperationState,
} from "../../executors/operation-types";
import { type LifecycleEvent, TRANSITIONS } from "./cluster-transitions";

/** A user request the lifecycle refuses; the HTTP layer answers 409 with the message. */
export class LifecycleConflictError extends Error {
    readonly code = "conflict";
    constructor(message: string) {
        super(message);
        this.name = "LifecycleConflictError";
    }
}

const APPLY_KINDS: readonly OperationKind[] = ["up", "suspend", "resume"];
const ACTIVE: readonly OperationState[] = ["queued", "running"];

/** Whether `op` is a lifecycle request (it carries a generation): an apply or a destroy. */
export function isLifecycleKind(kind: OperationKind): boolean {
    return kind === "destroy" || APPLY_KINDS.includes(kind);
}

function refuseWhileDeleting(cluster: ClusterRecord | undefined, what: string): void {
    if (cluster?.status === "deleting") {
        const by = cluster.lastOperationId ? ` (operation ${cluster.lastOperationId})` : "";
        throw new LifecycleConflictError(
            `cluster ${cluster.id} is being deleted${by}; ${what} is refused until the destroy has finished`,
        );
    }
}

/**
 * The next generation for a request on `cluster`. Above every operation ever recorded for the id,
 * so a cluster deleted and registered again never reuses a generation of its earlier life.
 */
export function nextGeneration(cluster: ClusterRecord | undefined, ops: readonly OperationRecord[]): number {
    return Math.max(cluster?.generation ?? 0, ...ops.map((o) => o.generation ?? 0)) + 1;
}

/**
 * PUT, suspend or resume accepted: the record to store (new clusters start `pending`).
 * Throws {@link LifecycleConflictError} while the cluster is being deleted.
 */
export function applyRequested(
    cluster: ClusterRecord | undefined,
    req: {
        id: string;
        project?: string;
        seed?: string;
        suspended: boolean;
        operationId: string;
        generation: number;
        now: string;
    },
): ClusterRecord {
    refuseWhileDeleting(cluster, "an update");
    if (!cluster) {
        return {
            id: req.id,
            project: req.project ?? "",
            seed: req.seed ?? "",
            suspended: req.suspended,
            status: "pending",
            outputs: {},
            lockCheckPending: false,
            stackMayExist: false,
            generation: req.generation,
            lastOperationId: req.operationId,
            createdAt: req.now,
            updatedAt: req.now,
        };
    }
    return {
        ...cluster,
        ...(req.project !== undefined ? { project: req.project } : {}),
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
        generation: req.generation,
        lastOperationId: req.operationId,
        updatedAt: req.now,
    };
}

/** Throws unless a preview may be queued for `cluster` (not while it is being deleted). */
export function checkPreview(cluster: ClusterRecord | undefined): void {
    refuseWhileDeleting(cluster, "a preview");
}

/** Throws unless a new destroy may be queued (a matching running destroy is joined before this). */
export function checkDestroy(cluster: ClusterRecord): void {
    refuseWhileDeleting(cluster, "a DELETE with a different purge setting");
}

/** DELETE accepted: the record to store. */
export function destroyRequested(
    cluster: ClusterRecord,
    req: { operationId: string; generation: number; now: string },
): ClusterRecord {
    checkDestroy(cluster);
    return {
        ...cluster,
        status: "deleting",
        generation: req.generation,
        lastOperationId: req.operationId,
        updatedAt: req.now,
    };
}

/** An operation on a registered cluster started: from now on its stack may exist. */
export function operationStarted(cluster: ClusterRecord, now: string): ClusterRecord {
    return cluster.stackMayExist === true ? cluster : { ...cluster, stackMayExist: true, updatedAt: now };
}

/** Whether the stack may exist: set when an operation started, or (records before the flag) any operation started. */
export function stackMayExist(cluster: ClusterRecord, ops: readonly OperationRecord[]): boolean {
    return cluster.stackMayExist ?? ops.some((o) => o.startedAt !== undefined);
}

/** A cluster whose stack was never created, with nothing queued or running, is removed without the engine. */
export function canRemoveWithoutEngine(cluster: ClusterRecord, ops: readonly OperationRecord[]): boolean {
    return !stackMayExist(cluster, ops) && !ops.some((o) => ACTIVE.includes(o.state));
}

/** The finish event of an operation that ended in `state`. */
export function finishEvent(kind: OperationKind, state: OperationState): LifecycleEvent | undefined {
    const prefix = kind === "destroy" ? "destroy" : APPLY_KINDS.includes(kind) ? "apply" : undefined;
    if (!prefix) return undefined;
    if (state === "succeeded") return `${prefix} succeeded`;
    if (state === "cancelled") return `${prefix} cancelled`;
    if (state === "failed") return `${prefix} failed`;
    return undefined;
}

/**
 * An operation finished. Returns the record to store, `"removed"` to delete the cluster, or
 * undefined to leave it untouched (not the newest request, a preview, or an unknown cluster).
 */
export function operationFinished(
    cluster: ClusterRecord | undefined,
    op: OperationRecord,
    state: OperationState,
    effect: { suspended?: boolean; outputs?: Record<string, unknown>; now: string },
): ClusterRecord | "removed" | undefined {
    const event = finishEvent(op.kind, state);
    if (!cluster || !event) return undefined;
    // Records from before generations: the operation the cluster last pointed at is the newest.
    const newest =
        op.generation !== undefined && cluster.generation !== undefined
            ? op.generation === cluster.generation
            : op.id === cluster.lastOperationId;
    if (!newest) return undefined;
    const row = TRANSITIONS.find((t) => t.event === event && t.from.includes(cluster.status));
    if (!row) return undefined;
    if (row.to === "removed") return "removed";
    const to = row.to === "same" ? cluster.status : (row.to as ClusterStatus);
    const applied =
        event === "apply succeeded"
            ? { suspended: effect.suspended ?? cluster.suspended, outputs: effect.outputs ?? {} }
            : {};
    return { ...cluster, ...applied, status: to, updatedAt: effect.now };
}

/**
 * Restart recovery: operations found `queued` or `running` become `interrupted` (mutated in
 * place). A cluster whose newest request was cut off becomes `interrupted`; one whose operation
 * was running is flagged `lockCheckPending` (its stack may hold the engine's lock).
 * Returns the changed records, to persist in one transaction.
 */
export function recoverAfterRestart(
    ops: readonly OperationRecord[],
    clusterOf: (id: string) => ClusterRecord | undefined,
    now: string,
): { operations: OperationRecord[]; clusters: ClusterRecord[] } {
    const operations: OperationRecord[] = [];
    const clusters = new Map<string, ClusterRecord>();
    for (const op of ops) {
        if (!ACTIVE.includes(op.state)) continue;
        const wasRunning = op.state === "running";
        op.state = "interrupted";
        op.finishedAt = now;
        op.error = {
            code: "interrupted",
            message: wasRunning
                ? "the service stopped while this operation ran; the stack's lock is cleared before its next operation"
                : "the service stopped before this operation started; send the request again",
        };
        operations.push(op);
        const cluster = clusterOf(op.clusterId);
        if (!cluster) continue;
        const newest =
            isLifecycleKind(op.kind) &&
            (op.generation !== undefined ? op.generation === cluster.generation : op.id === cluster.lastOperationId);
        const moves = newest || (wasRunning && isLifecycleKind(op.kind)) || cluster.status === "deleting";
        if (!moves && !wasRunning) continue;
        if (moves) cluster.status = "interrupted";
        if (wasRunning) {
            cluster.lockCheckPending = true;
            cluster.stackMayExist = true;
        }
        cluster.updatedAt = now;
        clusters.set(cluster.id, cluster);
    }
    return { operations, clusters: [...clusters.values()] };
}
