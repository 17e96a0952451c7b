/**
 * The records the onboarding service keeps: clusters, operations and their progress events.
 *
 * None of these ever holds a secret. Kubeconfigs and the Alertmanager config live only in the
 * encrypted spec store (`spec-store.ts`) and in memory while an operation runs.
 */

/** What an operation does to a cluster's stack. */
export type OperationKind = "up" | "preview" | "destroy" | "suspend" | "resume";

/** Every operation kind, for metrics and the OpenAPI document. */
export const OPERATION_KINDS: readonly OperationKind[] = ["up", "preview", "destroy", "suspend", "resume"];

/** Lifecycle of an operation. `interrupted` means the service stopped while it was queued or running. */
export type OperationState = "queued" | "running" | "succeeded" | "failed" | "interrupted" | "cancelled";

/** States after which an operation never changes again. */
export const FINAL_STATES: readonly OperationState[] = ["succeeded", "failed", "interrupted", "cancelled"];

/**
 * A machine-readable error class plus a message that is safe to show (secrets scrubbed). The
 * HTTP layer adds the status the class maps to (`service/http/errors.ts`); the core never knows it.
 */
export interface OperationError {
    code: string;
    message: string;
}

/** Counts of resource operations, as the engine's summary reports them (`create: 3`, `same: 10`). */
export type ChangeSummary = Record<string, number>;

/** One planned or applied resource step. */
export interface ResourceStep {
    op: string;
    urn: string;
    type: string;
    name: string;
    /** Top-level properties that change (empty for create/delete/same). */
    diffs: string[];
}

/** What a finished operation produced. Outputs here never include secret outputs. */
export interface OperationResult {
    changeSummary?: ChangeSummary;
    steps?: ResourceStep[];
    outputs?: Record<string, unknown>;
}

/** One operation on one cluster's stack. */
export interface OperationRecord {
    id: string;
    clusterId: string;
    kind: OperationKind;
    state: OperationState;
    /** DELETE ?purge=true: the tenant's stored data is deleted too. */
    purge?: boolean;
    /** The cluster's generation this request created (PUT, suspend, resume, DELETE); see `cluster-lifecycle.ts`. */
    generation?: number;
    createdAt: string;
    startedAt?: string;
    finishedAt?: string;
    error?: OperationError;
    result?: OperationResult;
}

/** Where a cluster stands; transitions in `cluster-lifecycle.ts`. */
export type ClusterStatus = "pending" | "ready" | "failed" | "cancelled" | "deleting" | "interrupted";

/** One user cluster the service manages (one stack). */
export interface ClusterRecord {
    id: string;
    project: string;
    seed: string;
    suspended: boolean;
    status: ClusterStatus;
    lastOperationId?: string;
    /** Non-secret stack outputs of the last successful `up`. */
    outputs: Record<string, unknown>;
    /** Set when an operation was cut off by a restart: the stack may hold a stale lock. */
    lockCheckPending: boolean;
    /** Bumped by every accepted PUT, suspend, resume and DELETE; only the newest request's operation moves `status`. */
    generation?: number;
    /** Set once an operation on this cluster started (the engine may have created the stack). */
    stackMayExist?: boolean;
    createdAt: string;
    updatedAt: string;
}

/** A readable progress event of an operation, as the SSE stream sends it. */
export interface OperationEvent {
    /** 1-based position in the operation's stream; SSE `id`. */
    seq: number;
    time: string;
    /** `state` for lifecycle changes, `step` for resource steps, `log` for engine diagnostics. */
    type: "state" | "step" | "log" | "summary";
    message: string;
    data?: Record<string, unknown>;
}
