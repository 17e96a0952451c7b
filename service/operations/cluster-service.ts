/**
 * What the HTTP routes call: onboard, preview, offboard, suspend/resume and cancel, on top of the
 * registry, the scheduler, the executor and the encrypted spec store.
 */
import type { ClusterSpec } from "../../spec/cluster-spec";
import type { ClusterBody } from "../http/cluster-body";
import { bodyProblems, requestHash, resolveSeedKubeconfig, toClusterSpec } from "./cluster-request";
import { rotatedSpec, withStoredCredentials } from "./credential-rotation";
import { DomainError } from "./domain-errors";
import type { Executor, StackOutput } from "../../executors/executor";
import type { ServiceMetrics } from "./metrics";
import type { OperationEvents } from "./operation-events";
import { type Log, OperationRunner, type Work } from "./operation-runner";
import type { ProjectService, ProjectTarget } from "./project-service";
import {
    applyRequested,
    canRemoveWithoutEngine,
    checkPreview,
    destroyRequested,
    LifecycleConflictError,
    nextGeneration,
    operationFinished,
    operationStarted,
} from "./cluster-lifecycle";
import {
    FINAL_STATES,
    type ClusterRecord,
    type OperationKind,
    type OperationRecord,
    type OperationResult,
    type OperationState,
} from "../../executors/operation-types";
import type { Registry } from "../store/registry";
import { QueueFullError, type Scheduler, ShuttingDownError } from "./scheduler";
import { secretScrubber } from "./scrub";
import type { SpecStore } from "../store/spec-store";

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
    /** Project stacks (the projects' Grafana orgs); without it, every cluster needs `seedApi.grafanaOrgId`. */
    projects?: ProjectService;
}

/** The org id a preview uses before the project's org exists (Grafana's main org; nothing is applied). */
const PREVIEW_ORG_ID = 1;

/** The project stack a cluster spec reads its Grafana org id from. */
function projectTarget(spec: ClusterSpec): ProjectTarget {
    return {
        project: spec.project,
        seedStack: spec.seedStack,
        ...(spec.seedApi.grafanaUrl !== undefined ? { grafanaUrl: spec.seedApi.grafanaUrl } : {}),
    };
}

/** An accepted request: the operation, and whether it joined one already queued or running. */
export interface Accepted {
    operation: OperationRecord;
    joined: boolean;
}

/** Only non-secret stack outputs ever leave the executor's result. */
export function publicOutputs(outputs: Record<string, StackOutput>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(outputs)
            .filter(([, o]) => !o.secret)
            .map(([k, o]) => [k, o.value]),
    );
}

/** Every secret of a spec, for scrubbing engine text. */
export function secretsOf(spec: ClusterSpec | undefined): string[] {
    if (!spec) return [];
    return [spec.userKubeconfig, spec.seedKubeconfig, spec.tenant.alertmanagerConfig].filter(
        (s): s is string => typeof s === "string",
    );
}

/** One request to queue (see `ClusterService.submit`). */
interface Submission {
    clusterId: string;
    kind: OperationKind;
    /** Identical requests (same hash) join the newest request's active operation. */
    hash: string;
    /** Scrubbed from engine text. */
    secrets: string[];
    work: Work;
    hooks: ServiceHooks;
    extra?: { purge?: boolean; generation?: number; record?: (op: OperationRecord) => ClusterRecord };
}

/** How the cluster record follows an operation: run when it starts, and once when it finishes. */
interface ServiceHooks {
    onStart?(): void;
    onFinish?(op: OperationRecord, state: OperationState, result: OperationResult | undefined): void;
}

/** The onboarding service's core. */
export class ClusterService {
    private readonly runner: OperationRunner;
    /** Request hash of each queued or running operation, per cluster, for idempotent joins. Memory only. */
    private readonly activeHashes = new Map<string, Map<string, string>>();

    constructor(private readonly deps: ClusterServiceDeps) {
        this.runner = new OperationRunner(deps);
    }

    /** Validates a body beyond its schema and builds the spec; the error lists every problem. */
    private async specFor(clusterId: string, body: ClusterBody): Promise<ClusterSpec> {
        const seed = await resolveSeedKubeconfig(body, this.deps.seedKubeconfigDir);
        const problems = [...bodyProblems(body), ...seed.problems];
        if (problems.length > 0) throw new DomainError("invalid", problems.join("; "));
        // The body never carries a credentials generation: keep the stored one (see credential-rotation.ts).
        return withStoredCredentials(
            toClusterSpec(clusterId, body, seed.text as string),
            this.deps.specs.load(clusterId),
        );
    }

    private cluster(id: string): ClusterRecord {
        const cluster = this.deps.registry.cluster(id);
        if (!cluster) throw new DomainError("not-found", `cluster ${id} not found`);
        return cluster;
    }

    /** Runs a lifecycle check; its conflict becomes a domain conflict with the reason. */
    private lifecycle<T>(step: () => T): T {
        try {
            return step();
        } catch (e) {
            if (e instanceof LifecycleConflictError) throw new DomainError("conflict", e.message);
            throw e;
        }
    }

    /** The active operation this request joins: same hash, same cluster, and still the newest request. */
    private joinable(clusterId: string, hash: string): OperationRecord | undefined {
        const cluster = this.deps.registry.cluster(clusterId);
        for (const [opId, activeHash] of this.activeHashes.get(clusterId) ?? []) {
            const active = this.deps.registry.operation(opId);
            if (activeHash !== hash || !active || active.clusterId !== clusterId) continue;
            if (active.generation === undefined || active.generation === cluster?.generation) return active;
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

    /** Hooks that move the cluster through the lifecycle as the operation starts and finishes. */
    private lifecycleHooks(clusterId: string, effect: { suspended?: boolean; onStart?(): void } = {}): ServiceHooks {
        const { registry } = this.deps;
        return {
            onStart: () => {
                const cluster = registry.cluster(clusterId);
                if (cluster) registry.putCluster(operationStarted(cluster, new Date().toISOString()));
                effect.onStart?.();
            },
            onFinish: (op, state, result) => {
                const next = operationFinished(registry.cluster(clusterId), op, state, {
                    suspended: effect.suspended,
                    outputs: result?.outputs,
                    now: new Date().toISOString(),
                });
                if (next === "removed") registry.removeCluster(clusterId);
                else if (next) registry.putCluster(next);
            },
        };
    }

    /**
     * Queues a new operation; `record` (when given) builds the cluster record that goes with it,
     * written in the same commit. Resolves once both are durable.
     */
    private async submit(req: Submission): Promise<Accepted> {
        const { clusterId, kind, hash, secrets, work, hooks, extra = {} } = req;
        const { registry, scheduler } = this.deps;
        const joined = this.joinable(clusterId, hash);
        if (joined) {
            await registry.durable();
            return { operation: joined, joined: true };
        }
        this.admit();
        // From here to submit nothing awaits, so the admission above still holds, and every record
        // below lands in one commit.
        const op = this.runner.create(clusterId, kind, {
            ...(extra.purge !== undefined ? { purge: extra.purge } : {}),
            ...(extra.generation !== undefined ? { generation: extra.generation } : {}),
        });
        const job = this.runner.job(op, work, secretScrubber(secrets), {
            onStart: hooks.onStart,
            onFinish: (state, result) => {
                const hashes = this.activeHashes.get(clusterId);
                hashes?.delete(op.id);
                if (hashes?.size === 0) this.activeHashes.delete(clusterId);
                hooks.onFinish?.(op, state, result);
            },
        });
        const hashes = this.activeHashes.get(clusterId) ?? new Map<string, string>();
        hashes.set(op.id, hash);
        this.activeHashes.set(clusterId, hashes);
        if (extra.record) registry.putCluster(extra.record(op));
        scheduler.submit(job);
        await registry.durable();
        return { operation: op, joined: false };
    }

    /** PUT: creates or updates the cluster's stack (`up`). */
    async apply(clusterId: string, body: ClusterBody): Promise<Accepted> {
        const spec = await this.specFor(clusterId, body);
        const existing = this.deps.registry.cluster(clusterId);
        this.lifecycle(() =>
            applyRequested(existing, {
                id: clusterId,
                suspended: spec.suspended,
                operationId: "",
                generation: 0,
                now: "",
            }),
        );
        const generation = nextGeneration(existing, this.deps.registry.operationsOf(clusterId));
        const previous = existing ? { project: existing.project, seedStack: existing.seed } : undefined;
        return this.submit({
            clusterId,
            kind: "up",
            hash: requestHash("up", spec),
            secrets: secretsOf(spec),
            work: this.upWork(clusterId, spec, previous),
            hooks: this.upHooks(clusterId, spec),
            extra: {
                generation,
                record: (op) =>
                    applyRequested(this.deps.registry.cluster(clusterId), {
                        id: clusterId,
                        project: body.project,
                        seed: body.seed,
                        suspended: spec.suspended,
                        operationId: op.id,
                        generation,
                        now: op.createdAt,
                    }),
            },
        });
    }

    /** `previous`: the project stack the cluster used before this PUT, released when it moved. */
    private upWork(clusterId: string, spec: ClusterSpec, previous?: ProjectTarget): Work {
        return async ({ signal, onEvent }) => {
            // The cluster program reads the org id from the project stack unless the spec gives one.
            if (spec.seedApi.grafanaOrgId === undefined)
                await this.deps.projects?.ensure(projectTarget(spec), { signal, onEvent });
            const result = await this.deps.executor.up({ clusterId, spec, signal, onEvent });
            if (previous && (previous.project !== spec.project || previous.seedStack !== spec.seedStack)) {
                await this.deps.projects?.release(clusterId, previous, { signal, onEvent });
            }
            return { changeSummary: result.changeSummary, outputs: publicOutputs(result.outputs) };
        };
    }

    private upHooks(clusterId: string, spec: ClusterSpec): ServiceHooks {
        return this.lifecycleHooks(clusterId, {
            suspended: spec.suspended,
            onStart: () => this.deps.specs.save(clusterId, spec),
        });
    }

    /** POST preview: what `up` with this body would change. */
    async preview(clusterId: string, body: ClusterBody): Promise<Accepted> {
        const spec = await this.specFor(clusterId, body);
        this.lifecycle(() => checkPreview(this.deps.registry.cluster(clusterId)));
        // A preview changes nothing, so it cannot create the project stack the cluster program reads:
        // before the project's first `up` it previews against a placeholder org id.
        const withoutOrg =
            spec.seedApi.grafanaOrgId === undefined &&
            this.deps.projects !== undefined &&
            !this.deps.projects.isApplied(projectTarget(spec));
        const previewed: ClusterSpec = withoutOrg
            ? { ...spec, seedApi: { ...spec.seedApi, grafanaOrgId: PREVIEW_ORG_ID } }
            : spec;
        const work: Work = async ({ signal, onEvent }) => {
            if (withoutOrg)
                onEvent({
                    type: "log",
                    message: `project ${spec.project} has no Grafana org on ${spec.seedStack} yet (the first up creates it): previewing with org id ${PREVIEW_ORG_ID}`,
                });
            const result = await this.deps.executor.preview({ clusterId, spec: previewed, signal, onEvent });
            return { changeSummary: result.changeSummary, steps: result.steps };
        };
        const registered = this.deps.registry.cluster(clusterId) !== undefined;
        const accepted = await this.submit({
            clusterId,
            kind: "preview",
            hash: requestHash("preview", spec),
            secrets: secretsOf(spec),
            work,
            hooks: registered ? this.lifecycleHooks(clusterId) : {},
        });
        const cluster = this.deps.registry.cluster(clusterId);
        if (cluster && !accepted.joined) {
            this.deps.registry.putCluster({
                ...cluster,
                lastOperationId: accepted.operation.id,
                updatedAt: new Date().toISOString(),
            });
            await this.deps.registry.durable();
        }
        return accepted;
    }

    /**
     * Whether DELETE of `clusterId` needs no engine: its stack was never created (no operation
     * ever started) and nothing is queued or running. The readiness gate lets such a DELETE through.
     */
    canRemoveWithoutEngine(clusterId: string): boolean {
        const cluster = this.deps.registry.cluster(clusterId);
        return cluster !== undefined && canRemoveWithoutEngine(cluster, this.deps.registry.operationsOf(clusterId));
    }

    /** DELETE: destroys the stack and forgets the cluster; `purge` also deletes the tenant's data. */
    async remove(clusterId: string, purge: boolean): Promise<Accepted> {
        const cluster = this.cluster(clusterId);
        const hash = `destroy:${purge}`;
        if (cluster.status === "deleting") {
            const joined = this.joinable(clusterId, hash);
            if (joined) {
                await this.deps.registry.durable();
                return { operation: joined, joined: true };
            }
        }
        this.lifecycle(() => destroyRequested(cluster, { operationId: "", generation: 0, now: "" }));
        const noEngine = this.canRemoveWithoutEngine(clusterId);
        const spec = this.deps.specs.load(clusterId);
        if (purge && !spec && !noEngine)
            throw new DomainError(
                "conflict",
                `cluster ${clusterId} has no stored spec to purge with; PUT it again first`,
            );
        const work: Work = noEngine
            ? async ({ onEvent }) => {
                  onEvent({
                      type: "log",
                      message: "the stack was never created: nothing to destroy, the engine is not called",
                  });
                  return { changeSummary: {} };
              }
            : async ({ signal, onEvent }) => {
                  const { changeSummary } = await this.deps.executor.destroy({
                      clusterId,
                      spec,
                      purge,
                      signal,
                      onEvent,
                  });
                  // The project's org goes with its last cluster on this seed.
                  await this.deps.projects?.release(
                      clusterId,
                      { project: cluster.project, seedStack: cluster.seed },
                      { signal, onEvent },
                  );
                  return { changeSummary };
              };
        const generation = nextGeneration(cluster, this.deps.registry.operationsOf(clusterId));
        // A destroy that never calls the engine does not make the stack exist.
        const hooks = this.lifecycleHooks(clusterId);
        if (noEngine) hooks.onStart = undefined;
        return this.submit({
            clusterId,
            kind: "destroy",
            hash,
            secrets: secretsOf(spec),
            work,
            hooks,
            extra: {
                purge,
                generation,
                record: (op) =>
                    destroyRequested(this.deps.registry.cluster(clusterId) ?? cluster, {
                        operationId: op.id,
                        generation,
                        now: op.createdAt,
                    }),
            },
        });
    }

    /** POST suspend/resume: `up` with the stored spec and `suspended` switched. */
    async setSuspended(clusterId: string, suspended: boolean): Promise<Accepted> {
        const cluster = this.cluster(clusterId);
        this.lifecycle(() =>
            applyRequested(cluster, { id: clusterId, suspended, operationId: "", generation: 0, now: "" }),
        );
        const stored = this.deps.specs.load(clusterId);
        if (!stored)
            throw new DomainError(
                "conflict",
                `cluster ${clusterId} has no stored spec; PUT it with "suspended": ${suspended}`,
            );
        const spec = { ...stored, suspended };
        const kind = suspended ? "suspend" : "resume";
        const generation = nextGeneration(cluster, this.deps.registry.operationsOf(clusterId));
        return this.submit({
            clusterId,
            kind,
            hash: requestHash(kind, spec),
            secrets: secretsOf(spec),
            work: this.upWork(clusterId, spec),
            hooks: this.upHooks(clusterId, spec),
            extra: {
                generation,
                record: (op) =>
                    applyRequested(this.deps.registry.cluster(clusterId), {
                        id: clusterId,
                        suspended,
                        operationId: op.id,
                        generation,
                        now: op.createdAt,
                    }),
            },
        });
    }

    /**
     * An `up` of the stored spec, unchanged: the reconciler's drift remediation and certificate
     * renewal. Same path as a PUT (operation record, events, the stack's lock); joins an
     * identical queued or running `up`.
     */
    async reapply(clusterId: string, change: (stored: ClusterSpec) => ClusterSpec = (s) => s): Promise<Accepted> {
        const cluster = this.cluster(clusterId);
        const stored = this.deps.specs.load(clusterId);
        const spec = stored && change(stored);
        if (!spec) throw new DomainError("conflict", `cluster ${clusterId} has no stored spec to apply again`);
        this.lifecycle(() =>
            applyRequested(cluster, {
                id: clusterId,
                suspended: spec.suspended,
                operationId: "",
                generation: 0,
                now: "",
            }),
        );
        const generation = nextGeneration(cluster, this.deps.registry.operationsOf(clusterId));
        return this.submit({
            clusterId,
            kind: "up",
            hash: requestHash("up", spec),
            secrets: secretsOf(spec),
            work: this.upWork(clusterId, spec),
            hooks: this.upHooks(clusterId, spec),
            extra: {
                generation,
                record: (op) =>
                    applyRequested(this.deps.registry.cluster(clusterId), {
                        id: clusterId,
                        suspended: spec.suspended,
                        operationId: op.id,
                        generation,
                        now: op.createdAt,
                    }),
            },
        });
    }

    /**
     * POST rotate-credentials: an `up` of the stored spec with the next credentials generation,
     * which replaces the cluster's CA, every certificate and the read token in one operation.
     */
    async rotateCredentials(clusterId: string): Promise<Accepted> {
        return this.reapply(clusterId, rotatedSpec);
    }

    /** POST cancel: drops a queued operation or interrupts a running one (SIGINT to the engine). */
    cancel(operationId: string): OperationRecord {
        const op = this.operation(operationId);
        if (FINAL_STATES.includes(op.state))
            throw new DomainError("conflict", `operation ${operationId} already ${op.state}`);
        this.deps.scheduler.cancel(operationId);
        return op;
    }

    operation(id: string): OperationRecord {
        const op = this.deps.registry.operation(id);
        if (!op) throw new DomainError("not-found", `operation ${id} not found`);
        return op;
    }

    /** A cluster's last operation, or undefined when it has none or its record is gone (a listing never fails on it). */
    lastOperation(cluster: ClusterRecord): OperationRecord | undefined {
        return cluster.lastOperationId ? this.deps.registry.operation(cluster.lastOperationId) : undefined;
    }

    getCluster(id: string): ClusterRecord {
        return this.cluster(id);
    }

    listClusters(): ClusterRecord[] {
        return this.deps.registry.clusters();
    }
}
