/**
 * Queueing one operation of a cluster: join an identical request that is still active, admit the
 * new one (or refuse it when the queue is full), write its records in one commit, and resolve only
 * once they are durable. Every cluster request of `ClusterService` goes through here.
 */
import type { OperationKind, OperationRecord, OperationResult, OperationState } from "../../executors/operation-types";
import type { ClusterRecord } from "../../executors/operation-types";
import type { Registry } from "../store/registry";
import { DomainError } from "./domain-errors";
import type { ServiceMetrics } from "./metrics";
import type { OperationRunner, Work } from "./operation-runner";
import { QueueFullError, type Scheduler, ShuttingDownError } from "./scheduler";
import { secretScrubber } from "./scrub";

/** An accepted request: the operation, and whether it joined one already queued or running. */
export interface Accepted {
    operation: OperationRecord;
    joined: boolean;
}

/** How the cluster record follows an operation: run when it starts, and once when it finishes. */
export interface ServiceHooks {
    onStart?(): void;
    onFinish?(op: OperationRecord, state: OperationState, result: OperationResult | undefined): void;
}

/** One request to queue (see {@link OperationSubmitter.submit}). */
export interface Submission {
    clusterId: string;
    kind: OperationKind;
    /**
     * The request's identity: identical requests (same hash) join the newest request's active
     * operation. Called only when another request of the cluster is active, and at most once.
     */
    hash: () => string;
    /** Scrubbed from engine text. */
    secrets: string[];
    work: Work;
    hooks: ServiceHooks;
    extra?: { purge?: boolean; generation?: number; record?: (op: OperationRecord) => ClusterRecord };
}

/** What the submitter works with. */
export interface SubmitterDeps {
    registry: Registry;
    scheduler: Scheduler;
    metrics: ServiceMetrics;
    runner: OperationRunner;
}

/** `compute`, called at most once, on first use. */
export function once<T>(compute: () => T): () => T {
    let done = false;
    let value: T;
    return () => {
        if (!done) {
            value = compute();
            done = true;
        }
        return value;
    };
}

/** Queues operations; keeps the identity of each active one for idempotent joins (memory only). */
export class OperationSubmitter {
    /** Request hash of each queued or running operation, per cluster, computed on first comparison. */
    private readonly activeHashes = new Map<string, Map<string, () => string>>();

    constructor(private readonly deps: SubmitterDeps) {}

    /** The active operation a request joins: same hash, same cluster, and still the newest request. */
    joinable(clusterId: string, hash: () => string): OperationRecord | undefined {
        const active = this.activeHashes.get(clusterId);
        if (!active) return undefined;
        const cluster = this.deps.registry.cluster(clusterId);
        for (const [opId, activeHash] of active) {
            const op = this.deps.registry.operation(opId);
            if (!op || op.clusterId !== clusterId || activeHash() !== hash()) continue;
            if (op.generation === undefined || op.generation === cluster?.generation) return op;
        }
        return undefined;
    }

    private admit(): void {
        try {
            this.deps.scheduler.admit();
        } catch (e) {
            if (e instanceof QueueFullError) {
                this.deps.metrics.rejected.inc();
                throw new DomainError("busy", e.message, e.retryAfterSeconds);
            }
            if (e instanceof ShuttingDownError) throw new DomainError("unavailable", e.message, 10);
            throw e;
        }
    }

    /**
     * Queues a new operation (or joins an identical active one); `record` (when given) builds the
     * cluster record that goes with it, written in the same commit. Resolves once both are durable.
     */
    async submit(req: Submission): Promise<Accepted> {
        const { clusterId, kind, secrets, work, hooks, extra = {} } = req;
        const { registry, scheduler, runner } = this.deps;
        const hash = once(req.hash);
        const joined = this.joinable(clusterId, hash);
        if (joined) {
            await registry.durable();
            return { operation: joined, joined: true };
        }
        this.admit();
        // From here to submit nothing awaits, so the admission above still holds, and every record
        // below lands in one commit.
        const op = runner.create(clusterId, kind, {
            ...(extra.purge !== undefined ? { purge: extra.purge } : {}),
            ...(extra.generation !== undefined ? { generation: extra.generation } : {}),
        });
        // The scrubber is built when the engine first says something, not for every request.
        const scrubber = once(() => secretScrubber(secrets));
        const job = runner.job(op, work, (text) => scrubber()(text), {
            onStart: hooks.onStart,
            onFinish: (state, result) => {
                const hashes = this.activeHashes.get(clusterId);
                hashes?.delete(op.id);
                if (hashes?.size === 0) this.activeHashes.delete(clusterId);
                hooks.onFinish?.(op, state, result);
            },
        });
        const hashes = this.activeHashes.get(clusterId) ?? new Map<string, () => string>();
        hashes.set(op.id, hash);
        this.activeHashes.set(clusterId, hashes);
        if (extra.record) registry.putCluster(extra.record(op));
        scheduler.submit(job);
        await registry.durable();
        return { operation: op, joined: false };
    }
}
