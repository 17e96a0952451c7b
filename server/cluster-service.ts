/**
 * What the HTTP routes call: onboard, preview, offboard, suspend/resume and cancel, on top of the
 * registry, the scheduler, the executor and the encrypted spec store.
 */
import type { ClusterSpec } from "../stacks/cluster-spec";
import type { ClusterBody } from "./cluster-body";
import { bodyProblems, requestHash, resolveSeedKubeconfig, toClusterSpec } from "./cluster-request";
import { HttpError } from "./errors";
import type { Executor, StackOutput } from "./executor";
import type { ServiceMetrics } from "./metrics";
import type { OperationEvents } from "./operation-events";
import { type Log, type OperationHooks, OperationRunner, type Work } from "./operation-runner";
import { FINAL_STATES, type ClusterRecord, type OperationKind, type OperationRecord } from "./operation-types";
import type { Registry } from "./registry";
import { QueueFullError, type Scheduler, ShuttingDownError } from "./scheduler";
import { secretScrubber } from "./scrub";
import type { SpecStore } from "./spec-store";

/** Dependencies of the service. */
export interface ClusterServiceDeps {
    registry: Registry;
    events: OperationEvents;
    executor: Executor;
    scheduler: Scheduler;
    specs: SpecStore;
    metrics: ServiceMetrics;
    log: Log;
    /** Directory of default seed kubeconfigs (`<seed>.yaml`). */
    seedKubeconfigDir: string;
}

/** An accepted request: the operation, and whether it joined one already queued or running. */
export interface Accepted {
    operation: OperationRecord;
    joined: boolean;
}

/** Only non-secret stack outputs ever leave the executor's result. */
export function publicOutputs(outputs: Record<string, StackOutput>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).filter(([, o]) => !o.secret).map(([k, o]) => [k, o.value]));
}

/** Every secret of a spec, for scrubbing engine text. */
export function secretsOf(spec: ClusterSpec | undefined): string[] {
    if (!spec) return [];
    return [spec.userKubeconfig, spec.seedKubeconfig, spec.tenant.alertmanagerConfig].filter(
        (s): s is string => typeof s === "string",
    );
}

/** The onboarding service's core. */
export class ClusterService {
    private readonly runner: OperationRunner;
    /** Request hash of each queued or running operation, for idempotent joins. Memory only. */
    private readonly activeHashes = new Map<string, string>();

    constructor(private readonly deps: ClusterServiceDeps) {
        this.runner = new OperationRunner(deps);
    }

    /** Validates a body beyond its schema and builds the spec; 400 lists every problem. */
    private async specFor(clusterId: string, body: ClusterBody): Promise<ClusterSpec> {
        const seed = await resolveSeedKubeconfig(body, this.deps.seedKubeconfigDir);
        const problems = [...bodyProblems(body), ...seed.problems];
        if (problems.length > 0) throw new HttpError(400, problems.join("; "));
        return toClusterSpec(clusterId, body, seed.text as string);
    }

    private cluster(id: string): ClusterRecord {
        const cluster = this.deps.registry.cluster(id);
        if (!cluster) throw new HttpError(404, `cluster ${id} not found`);
        return cluster;
    }

    private updateCluster(id: string, patch: Partial<ClusterRecord>): void {
        const current = this.deps.registry.cluster(id);
        if (current) this.deps.registry.putCluster({ ...current, ...patch, updatedAt: new Date().toISOString() });
    }

    /** Joins an active operation with the same hash, or queues a new one. */
    private submit(clusterId: string, kind: OperationKind, hash: string, secrets: string[], work: Work, hooks: OperationHooks, extra: { purge?: boolean } = {}): Accepted {
        for (const [opId, activeHash] of this.activeHashes) {
            const active = this.deps.registry.operation(opId);
            if (activeHash === hash && active && active.clusterId === clusterId) return { operation: active, joined: true };
        }
        try {
            this.deps.scheduler.admit();
        } catch (e) {
            if (e instanceof QueueFullError) {
                this.deps.metrics.rejected.inc();
                throw new HttpError(429, e.message, { "retry-after": String(e.retryAfterSeconds) });
            }
            if (e instanceof ShuttingDownError) throw new HttpError(503, e.message, { "retry-after": "10" });
            throw e;
        }
        // From here to submit nothing awaits, so the admission above still holds.
        const op = this.runner.create(clusterId, kind, extra);
        const job = this.runner.job(op, work, secretScrubber(secrets), {
            onStart: hooks.onStart,
            onFinish: (state, result) => {
                this.activeHashes.delete(op.id);
                hooks.onFinish?.(state, result);
            },
        });
        this.activeHashes.set(op.id, hash);
        this.deps.scheduler.submit(job);
        if (kind !== "preview" || this.deps.registry.cluster(clusterId)) this.updateCluster(clusterId, { lastOperationId: op.id });
        return { operation: op, joined: false };
    }

    /** PUT: creates or updates the cluster's stack (`up`). */
    async apply(clusterId: string, body: ClusterBody): Promise<Accepted> {
        const spec = await this.specFor(clusterId, body);
        const existing = this.deps.registry.cluster(clusterId);
        if (existing?.status === "deleting") throw new HttpError(409, `cluster ${clusterId} is being deleted`);
        const now = new Date().toISOString();
        const record: ClusterRecord = existing
            ? { ...existing, project: body.project, seed: body.seed, updatedAt: now }
            : { id: clusterId, project: body.project, seed: body.seed, suspended: spec.suspended, status: "pending", outputs: {}, lockCheckPending: false, createdAt: now, updatedAt: now };
        const accepted = this.submit(clusterId, "up", requestHash("up", spec), secretsOf(spec), this.upWork(clusterId, spec), this.upHooks(clusterId, spec));
        if (!accepted.joined) this.deps.registry.putCluster({ ...record, lastOperationId: accepted.operation.id });
        return accepted;
    }

    private upWork(clusterId: string, spec: ClusterSpec): Work {
        return async ({ signal, onEvent }) => {
            const result = await this.deps.executor.up({ clusterId, spec, signal, onEvent });
            return { changeSummary: result.changeSummary, outputs: publicOutputs(result.outputs) };
        };
    }

    private upHooks(clusterId: string, spec: ClusterSpec): OperationHooks {
        return {
            onStart: () => this.deps.specs.save(clusterId, spec),
            onFinish: (state, result) =>
                state === "succeeded"
                    ? this.updateCluster(clusterId, { status: "ready", suspended: spec.suspended, outputs: result?.outputs ?? {} })
                    : this.updateCluster(clusterId, { status: "failed" }),
        };
    }

    /** POST preview: what `up` with this body would change. */
    async preview(clusterId: string, body: ClusterBody): Promise<Accepted> {
        const spec = await this.specFor(clusterId, body);
        const work: Work = async ({ signal, onEvent }) => {
            const result = await this.deps.executor.preview({ clusterId, spec, signal, onEvent });
            return { changeSummary: result.changeSummary, steps: result.steps };
        };
        return this.submit(clusterId, "preview", requestHash("preview", spec), secretsOf(spec), work, {});
    }

    /** DELETE: destroys the stack and forgets the cluster; `purge` also deletes the tenant's data. */
    remove(clusterId: string, purge: boolean): Accepted {
        this.cluster(clusterId);
        const spec = this.deps.specs.load(clusterId);
        if (purge && !spec) throw new HttpError(409, `cluster ${clusterId} has no stored spec to purge with; PUT it again first`);
        const work: Work = async ({ signal, onEvent }) => ({
            changeSummary: (await this.deps.executor.destroy({ clusterId, spec, purge, signal, onEvent })).changeSummary,
        });
        const hooks: OperationHooks = {
            onFinish: (state) => {
                if (state !== "succeeded") return this.updateCluster(clusterId, { status: "failed" });
                this.deps.registry.removeCluster(clusterId);
                this.deps.specs.remove(clusterId);
            },
        };
        const accepted = this.submit(clusterId, "destroy", `destroy:${purge}`, secretsOf(spec), work, hooks, { purge });
        if (!accepted.joined) this.updateCluster(clusterId, { status: "deleting" });
        return accepted;
    }

    /** POST suspend/resume: `up` with the stored spec and `suspended` switched. */
    setSuspended(clusterId: string, suspended: boolean): Accepted {
        const cluster = this.cluster(clusterId);
        if (cluster.status === "deleting") throw new HttpError(409, `cluster ${clusterId} is being deleted`);
        const stored = this.deps.specs.load(clusterId);
        if (!stored) throw new HttpError(409, `cluster ${clusterId} has no stored spec; PUT it with "suspended": ${suspended}`);
        const spec = { ...stored, suspended };
        const kind = suspended ? "suspend" : "resume";
        return this.submit(clusterId, kind, requestHash(kind, spec), secretsOf(spec), this.upWork(clusterId, spec), this.upHooks(clusterId, spec));
    }

    /** POST cancel: drops a queued operation or interrupts a running one (SIGINT to the engine). */
    cancel(operationId: string): OperationRecord {
        const op = this.operation(operationId);
        if (FINAL_STATES.includes(op.state)) throw new HttpError(409, `operation ${operationId} already ${op.state}`);
        this.deps.scheduler.cancel(operationId);
        return op;
    }

    operation(id: string): OperationRecord {
        const op = this.deps.registry.operation(id);
        if (!op) throw new HttpError(404, `operation ${id} not found`);
        return op;
    }

    getCluster(id: string): ClusterRecord {
        return this.cluster(id);
    }

    listClusters(): ClusterRecord[] {
        return this.deps.registry.clusters();
    }
}
