/**
 * The lifecycle of one operation: queued → running → a final state, with its record, events,
 * metrics and secret scrubbing handled in one place so every operation kind behaves the same.
 */
import { newOperationId } from "./operation-id";
import { ExecutorError, type Executor, type ExecutorEvent } from "../../executors/executor";
import type { ServiceMetrics } from "./metrics";
import type { OperationEvents } from "./operation-events";
import type {
    OperationError,
    OperationKind,
    OperationRecord,
    OperationResult,
    OperationState,
} from "../../executors/operation-types";
import type { Registry } from "../store/registry";
import { setLockCheckPending } from "../store/lock-check";
import type { Job } from "./scheduler";

/** The subset of a pino logger the service uses. */
export interface Log {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
}

/** What the runner needs from the rest of the service. */
export interface RunnerDeps {
    registry: Registry;
    events: OperationEvents;
    executor: Executor;
    metrics: ServiceMetrics;
    log: Log;
}

/** One operation's work: returns the result, or throws. */
export type Work = (ctx: { signal: AbortSignal; onEvent(event: ExecutorEvent): void }) => Promise<OperationResult>;

/** Hooks around the work: how the cluster record follows the operation. */
export interface OperationHooks {
    /** Called when the operation starts running (e.g. persist the spec). */
    onStart?(): void;
    /** Called once with the final state and result. */
    onFinish?(state: OperationState, result: OperationResult | undefined): void;
}

/** Creates operation records and the scheduler jobs that run them. */
export class OperationRunner {
    constructor(private readonly deps: RunnerDeps) {}

    /** A new `queued` operation record, persisted. */
    create(
        clusterId: string,
        kind: OperationKind,
        extra: { purge?: boolean; generation?: number } = {},
    ): OperationRecord {
        const op: OperationRecord = {
            id: newOperationId(),
            clusterId,
            kind,
            state: "queued",
            createdAt: new Date().toISOString(),
            ...extra,
        };
        this.deps.registry.putOperation(op);
        this.deps.events.begin(op.id);
        this.deps.events.append(op.id, {
            type: "state",
            message: `${kind} of cluster ${clusterId} queued`,
            data: { state: "queued" },
        });
        return op;
    }

    /** The scheduler job for `op`; `scrub` removes this operation's secrets from engine text. */
    job(op: OperationRecord, work: Work, scrub: (text: string) => string, hooks: OperationHooks = {}): Job {
        return {
            id: op.id,
            key: op.clusterId,
            run: (signal) => this.run(op, { work, scrub, hooks }, signal),
            dropped: (reason) =>
                this.finish(op, "cancelled", hooks, {
                    error: {
                        code: "cancelled",
                        message:
                            reason === "shutdown"
                                ? "the service shut down before this operation started"
                                : "cancelled before it started",
                    },
                }),
        };
    }

    private async run(
        op: OperationRecord,
        how: { work: Work; scrub: (t: string) => string; hooks: OperationHooks },
        signal: AbortSignal,
    ): Promise<void> {
        const { work, scrub, hooks } = how;
        const { registry, events, executor, log } = this.deps;
        let engineRan = false;
        try {
            // Nothing reaches the engine before the request that asked for it is on disk.
            await registry.durable();
            if (signal.aborted) throw new Error("cancelled before it started");
            op.state = "running";
            op.startedAt = new Date().toISOString();
            registry.putOperation(op);
            hooks.onStart?.();
            events.append(op.id, { type: "state", message: `${op.kind} started`, data: { state: "running" } });
            // "running" (and whatever onStart recorded, e.g. that the stack may now exist) is durable
            // before the engine runs, so a crash from here on is recovered as a cut-off operation.
            await registry.durable();
            if (signal.aborted) throw new Error("cancelled before the engine ran");
            const cluster = registry.cluster(op.clusterId);
            if (cluster?.lockCheckPending) {
                events.append(op.id, {
                    type: "log",
                    message: "clearing the lock left by an interrupted operation (pulumi cancel)",
                });
                await executor.unlock(op.clusterId);
                setLockCheckPending(registry, op.clusterId, false, new Date().toISOString());
            }
            const onEvent = (e: ExecutorEvent) => events.append(op.id, { ...e, message: scrub(e.message) });
            engineRan = true;
            const result = await work({ signal, onEvent });
            this.finish(op, "succeeded", hooks, { result });
        } catch (e) {
            if (signal.aborted) {
                this.finish(op, "cancelled", hooks, {
                    error: {
                        code: "cancelled",
                        message: "cancelled while running",
                    },
                });
                // A cancelled engine may have been killed after its grace (ENGINE_KILL_GRACE_MS),
                // holding the stack's lock: the cluster's next operation clears it first.
                if (engineRan) setLockCheckPending(registry, op.clusterId, true, new Date().toISOString());
            } else if (e instanceof ExecutorError) {
                this.finish(op, "failed", hooks, {
                    error: { code: e.code, message: scrub(e.message) },
                });
            } else {
                // Unknown failures may carry anything; log them scrubbed and show a generic message.
                log.error(
                    { operationId: op.id, err: scrub(e instanceof Error ? (e.stack ?? e.message) : String(e)) },
                    "operation failed",
                );
                this.finish(op, "failed", hooks, {
                    error: { code: "internal", message: "internal error; see the service log" },
                });
            }
        }
    }

    private finish(
        op: OperationRecord,
        state: OperationState,
        hooks: OperationHooks,
        outcome: { result?: OperationResult; error?: OperationError },
    ): void {
        const { result, error } = outcome;
        const { registry, events, metrics } = this.deps;
        op.state = state;
        op.finishedAt = new Date().toISOString();
        if (result) op.result = result;
        if (error) op.error = error;
        registry.putOperation(op);
        try {
            hooks.onFinish?.(state, result);
        } finally {
            metrics.operations.inc({ kind: op.kind, result: state });
            if (op.startedAt) {
                const seconds = (Date.parse(op.finishedAt) - Date.parse(op.startedAt)) / 1000;
                metrics.duration.observe({ kind: op.kind, result: state }, seconds);
            }
            const message = error ? `${op.kind} ${state}: ${error.message}` : `${op.kind} ${state}`;
            events.append(op.id, { type: "state", message, data: { state } });
            events.finish(op.id);
        }
    }
}
