/**
 * What the HTTP routes call: onboard, preview, offboard, suspend/resume and cancel, on top of the
 * registry, the scheduler, the executor and the encrypted spec store. Each request checks the
 * lifecycle (`cluster-lifecycle.ts`), builds its work (`cluster-work.ts`) and is queued by the
 * {@link OperationSubmitter}.
 */
import type { ClusterSpec, SeedApiUrls } from "../../spec/cluster-spec";
import type { ClusterBody } from "./cluster-body";
import { bodyProblems, requestHash, resolveSeedKubeconfig, seedNameProblems, toClusterSpec } from "./cluster-request";
import { rotatedSpec, withStoredCredentials } from "./credential-rotation";
import { DomainError } from "./domain-errors";
import type { Executor } from "../../executors/executor";
import type { ServiceMetrics } from "./metrics";
import type { OperationEvents } from "./operation-events";
import { type Log, OperationRunner } from "./operation-runner";
import type { ProjectService, ProjectTarget } from "./project-service";
import {
    applyRequested,
    canRemoveWithoutEngine,
    checkPreview,
    destroyRequested,
    LifecycleConflictError,
    nextGeneration,
} from "./cluster-lifecycle";
import { destroyWork, lifecycleHooks, previewWork, secretsOf, upWork } from "./cluster-work";
import {
    FINAL_STATES,
    type ClusterRecord,
    type OperationKind,
    type OperationRecord,
} from "../../executors/operation-types";
import { type Accepted, OperationSubmitter } from "./operation-submitter";
import type { Registry } from "../store/registry";
import type { Scheduler } from "./scheduler";
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
    /** The operator's API addresses per seed stack (`MLA_SEED_API_FILE`); a seed not named uses the seed's outputs. */
    seedApis?: Readonly<Record<string, SeedApiUrls>>;
    /** Project stacks (the projects' Grafana orgs); without it, every cluster needs `seedApi.grafanaOrgId`. */
    projects?: ProjectService;
}

/** An `up` of a spec: PUT, suspend, resume, and the reconciler's re-apply. */
interface ApplyRequest {
    kind: OperationKind;
    spec: ClusterSpec;
    /** The registered cluster, or undefined for a new one (PUT only). */
    cluster: ClusterRecord | undefined;
    /** Set by PUT: the body's project and seed, recorded with the request. */
    placement?: { project: string; seed: string };
    /** The project stack the cluster used before this PUT, released when it moved. */
    previous?: ProjectTarget;
}

/** The onboarding service's core. */
export class ClusterService {
    private readonly submitter: OperationSubmitter;

    constructor(private readonly deps: ClusterServiceDeps) {
        this.submitter = new OperationSubmitter({ ...deps, runner: new OperationRunner(deps) });
    }

    /** Validates a body beyond its schema and builds the spec; the error lists every problem. */
    private async specFor(clusterId: string, body: ClusterBody): Promise<ClusterSpec> {
        const seed = await resolveSeedKubeconfig(body, this.deps.seedKubeconfigDir);
        const seeds = [body.seed, ...Object.keys(this.deps.seedApis ?? {}), ...this.deps.registry.seedsInUse()];
        const problems = [...seedNameProblems(clusterId, seeds), ...bodyProblems(body), ...seed.problems];
        if (problems.length > 0) throw new DomainError("invalid", problems.join("; "));
        // The body never carries a credentials generation: keep the stored one (see credential-rotation.ts).
        return withStoredCredentials(
            toClusterSpec(clusterId, body, seed.text as string, this.deps.seedApis?.[body.seed]),
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

    /**
     * Queues an `up` of `req.spec` after the lifecycle check; the cluster record (registered when
     * new) and the spec, saved when the `up` starts, follow the operation.
     */
    private applySpec(clusterId: string, req: ApplyRequest): Promise<Accepted> {
        const { kind, spec, cluster, placement, previous } = req;
        const { registry, specs } = this.deps;
        const requested = (operationId: string, generation: number, now: string) =>
            applyRequested(registry.cluster(clusterId), {
                id: clusterId,
                ...placement,
                suspended: spec.suspended,
                operationId,
                generation,
                now,
            });
        this.lifecycle(() =>
            applyRequested(cluster, {
                id: clusterId,
                suspended: spec.suspended,
                operationId: "",
                generation: 0,
                now: "",
            }),
        );
        const generation = nextGeneration(cluster, registry.operationsOf(clusterId));
        return this.submitter.submit({
            clusterId,
            kind,
            hash: () => requestHash(kind, spec),
            secrets: secretsOf(spec),
            work: upWork(this.deps, { clusterId, spec, previous }),
            hooks: lifecycleHooks(registry, clusterId, {
                suspended: spec.suspended,
                onStart: () => specs.save(clusterId, spec),
            }),
            extra: { generation, record: (op) => requested(op.id, generation, op.createdAt) },
        });
    }

    /** PUT: creates or updates the cluster's stack (`up`). */
    async apply(clusterId: string, body: ClusterBody): Promise<Accepted> {
        const spec = await this.specFor(clusterId, body);
        const existing = this.deps.registry.cluster(clusterId);
        return this.applySpec(clusterId, {
            kind: "up",
            spec,
            cluster: existing,
            placement: { project: body.project, seed: body.seed },
            previous: existing ? { project: existing.project, seedStack: existing.seed } : undefined,
        });
    }

    /** POST preview: what `up` with this body would change. */
    async preview(clusterId: string, body: ClusterBody): Promise<Accepted> {
        const spec = await this.specFor(clusterId, body);
        const { registry } = this.deps;
        this.lifecycle(() => checkPreview(registry.cluster(clusterId)));
        const registered = registry.cluster(clusterId) !== undefined;
        const accepted = await this.submitter.submit({
            clusterId,
            kind: "preview",
            hash: () => requestHash("preview", spec),
            secrets: secretsOf(spec),
            work: previewWork(this.deps, { clusterId, spec }),
            hooks: registered ? lifecycleHooks(registry, clusterId) : {},
        });
        const cluster = registry.cluster(clusterId);
        if (cluster && !accepted.joined) {
            registry.putCluster({
                ...cluster,
                lastOperationId: accepted.operation.id,
                updatedAt: new Date().toISOString(),
            });
            await registry.durable();
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
        const { registry } = this.deps;
        const cluster = this.cluster(clusterId);
        const hash = () => `destroy:${purge}`;
        if (cluster.status === "deleting") {
            const joined = this.submitter.joinable(clusterId, hash);
            if (joined) {
                await registry.durable();
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
        const generation = nextGeneration(cluster, registry.operationsOf(clusterId));
        // A destroy that never calls the engine does not make the stack exist.
        const hooks = lifecycleHooks(registry, clusterId);
        if (noEngine) hooks.onStart = undefined;
        return this.submitter.submit({
            clusterId,
            kind: "destroy",
            hash,
            secrets: secretsOf(spec),
            work: destroyWork(this.deps, { cluster, spec, purge, noEngine }),
            hooks,
            extra: {
                purge,
                generation,
                record: (op) =>
                    destroyRequested(registry.cluster(clusterId) ?? cluster, {
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
        return this.applySpec(clusterId, {
            kind: suspended ? "suspend" : "resume",
            spec: { ...stored, suspended },
            cluster,
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
        return this.applySpec(clusterId, { kind: "up", spec, cluster });
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
