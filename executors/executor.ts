/**
 * The seam between the service and whatever runs Pulumi.
 *
 * The service never talks to the engine directly: the scheduler calls an {@link Executor}.
 * Implementations: the Automation API on this machine (`executor-automation.ts`), an in-memory
 * stand-in for tests and demos (`executor-memory.ts`), and the Pulumi Kubernetes Operator
 * (`executor-operator.ts`): `up` applies a `Stack` custom resource and watches its status, `cancel`
 * stops the waiting, `unlock` is a no-op because the operator owns its locks (README, "Scale-out").
 */
import type { ClusterSpec } from "../spec/cluster-spec";
import type { ProjectSpec } from "../spec/project-spec";
import type { ChangeSummary, OperationEvent, ResourceStep } from "./operation-types";

/** A progress event before the service numbers and timestamps it. */
export type ExecutorEvent = Omit<OperationEvent, "seq" | "time">;

/** One stack operation. */
export interface ExecutorRequest {
    /** The stack name: the cluster id. */
    clusterId: string;
    /** The full spec, secrets included; kept in memory only. */
    spec: ClusterSpec;
    /** Aborted when the operation is cancelled or the service shuts down (SIGINT to the engine). */
    signal: AbortSignal;
    /** Progress; called in order. */
    onEvent(event: ExecutorEvent): void;
}

/** A destroy; the spec is optional because the stack state holds the providers' credentials. */
export interface DestroyRequest extends Omit<ExecutorRequest, "spec"> {
    spec?: ClusterSpec;
    /** Also delete the tenant's stored data (needs `spec`). */
    purge: boolean;
}

/**
 * An `up` or `destroy` of a project stack: the project program (`programs/project.ts`), the
 * project's Grafana org and members. The spec holds no secret.
 */
export interface ProjectRequest {
    /** The stack name, `projectStackName(spec.seedStack, spec.project)`. */
    stack: string;
    spec: ProjectSpec;
    signal: AbortSignal;
    onEvent(event: ExecutorEvent): void;
}

/** A stack output as the engine reports it. */
export interface StackOutput {
    value: unknown;
    secret: boolean;
}

/** The outcome of `up`. */
export interface UpResult {
    changeSummary: ChangeSummary;
    outputs: Record<string, StackOutput>;
}

/** The outcome of `preview`: what would change, per resource. */
export interface PreviewResult {
    changeSummary: ChangeSummary;
    steps: ResourceStep[];
}

/**
 * The outcome of a drift check (`refresh`, then `preview`): what an `up` of the stored spec would
 * change now. Empty steps (or only `same`) means the live objects match the program.
 */
export interface DriftResult {
    changeSummary: ChangeSummary;
    /** The changing steps only (no `same`). */
    steps: ResourceStep[];
    /** The stack's outputs as its state holds them after the refresh, secrets included (memory only). */
    outputs?: Record<string, StackOutput>;
    /**
     * Set when the engine corrects drift on its own (the operator's resync): the reconciler then
     * reports and never runs a remediating `up`.
     */
    selfHealing?: boolean;
    /** A line about how the result was obtained, for the operation-less reconcile log. */
    detail?: string;
}

/** The outcome of `destroy`. */
export interface DestroyResult {
    changeSummary: ChangeSummary;
}

/** One readiness check, as `/readyz` lists it. */
export interface ReadyCheck {
    name: string;
    ok: boolean;
    /** What was found, or exactly what to do when not ok. */
    detail: string;
}

/** Runs stack operations. Every method may be called for different stacks concurrently. */
export interface Executor {
    /** A short name for logs and `/readyz` ("automation", "memory"). */
    readonly name: string;
    up(request: ExecutorRequest): Promise<UpResult>;
    preview(request: ExecutorRequest): Promise<PreviewResult>;
    destroy(request: DestroyRequest): Promise<DestroyResult>;
    /**
     * Clears a lock left by an interrupted operation (`pulumi cancel`). Called before the next
     * operation on a stack whose previous operation was cut off by a restart.
     */
    unlock(clusterId: string): Promise<void>;
    /** `up` of a project stack (created on first use). */
    upProject(request: ProjectRequest): Promise<UpResult>;
    /** `destroy` of a project stack, then the stack is removed; a stack that never existed is no error. */
    destroyProject(request: ProjectRequest): Promise<DestroyResult>;
    /**
     * Drift check for the reconciler: `refresh` then `preview` of `spec`, changing nothing.
     * Optional: without it the reconciler reports drift as unknown.
     */
    checkDrift?(request: ExecutorRequest): Promise<DriftResult>;
    /** The stack's current outputs, secrets included, without running the program (health probes). */
    outputs?(clusterId: string, signal: AbortSignal): Promise<Record<string, StackOutput>>;
    /** Whether the executor can run operations: the CLI, the backend. */
    checkReady(): Promise<ReadyCheck[]>;
    /**
     * Whether the seed stack `seedStack` (as a cluster spec names it) is readable in the backend
     * the cluster stacks use, for `/readyz`. Optional: executors that cannot read stacks omit it.
     */
    checkSeed?(seedStack: string): Promise<ReadyCheck>;
}

/** Thrown by executors with a machine-readable code; the message must not contain secrets. */
export class ExecutorError extends Error {
    constructor(
        readonly code: string,
        message: string,
    ) {
        super(message);
        this.name = "ExecutorError";
    }
}
