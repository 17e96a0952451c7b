/**
 * Project stacks in the onboarding service: one `<seed stack>.<project>` stack per project and
 * seed, holding the project's Grafana org and its explicit members (`programs/project.ts`).
 *
 * - A cluster's `up` first brings its project stack up to date ({@link ProjectService.ensure}),
 *   inside the cluster's operation (its events show both), and only then runs the cluster
 *   program, which reads the org id from the project stack.
 * - A cluster's destroy, once its stack is gone, destroys the project stack if no other cluster
 *   of the project on that seed is registered ({@link ProjectService.release}): the org, and with
 *   it every datasource in it, goes with the project's last cluster.
 * - `PUT /v1/projects/{project}/members` stores the members and queues an `up` of each project
 *   stack in use ({@link ProjectService.setMembers}).
 *
 * One project stack never runs two operations at once: every run takes the stack's lock here
 * (cluster operations of the same project run in parallel on different scheduler keys). The
 * "last cluster?" decision is taken under the same lock, against the registry, where a cluster
 * being onboarded is registered before its operation starts: a concurrent onboarding either
 * keeps the org alive or, if the destroy came first, creates it again.
 */
import { createHash } from "node:crypto";
import type { SeedApiUrls } from "../../spec/cluster-spec";
import { type ProjectMember, type ProjectSpec, memberProblems, projectStackName } from "../../spec/project-spec";
import type { Executor, ExecutorEvent } from "../../executors/executor";
import type { ServiceMetrics } from "./metrics";
import type { OperationEvents } from "./operation-events";
import { type Log, OperationRunner } from "./operation-runner";
import type { OperationRecord } from "../../executors/operation-types";
import type { ProjectRecord, ProjectStore } from "../store/project-store";
import type { Registry } from "../store/registry";
import type { Scheduler } from "./scheduler";

/** Dependencies of the project service. */
export interface ProjectServiceDeps {
    registry: Registry;
    events: OperationEvents;
    executor: Executor;
    scheduler: Scheduler;
    metrics: ServiceMetrics;
    log: Log;
    store: ProjectStore;
    /** The operator's API addresses per seed stack (`MLA_SEED_API_FILE`): where each seed's Grafana is reached. */
    seedApis?: Readonly<Record<string, SeedApiUrls>>;
}

/** The context of the operation a project stack runs in. */
export interface RunContext {
    signal: AbortSignal;
    onEvent(event: ExecutorEvent): void;
}

/** Which project stack a cluster needs: the project and the seed. */
export interface ProjectTarget {
    project: string;
    seedStack: string;
}

/** A request that breaks the project rules; `problems` name the fields (`members[0].role ...`). */
export class ProjectInputError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("; "));
        this.name = "ProjectInputError";
    }
}

/** The outcome of a member change: the members stored, and the `up` operations queued (one per project stack in use). */
export interface MembersAccepted {
    project: string;
    members: ProjectMember[];
    operations: OperationRecord[];
}

/** Hash of what a project stack is built from: equal hashes need no new `up`. */
function specHash(spec: ProjectSpec): string {
    return createHash("sha256")
        .update(JSON.stringify([spec.project, spec.seedStack, spec.grafanaUrl ?? null, spec.members]))
        .digest("hex");
}

/** Project stacks: created with a project's first cluster, updated with its members, destroyed with its last cluster. */
export class ProjectService {
    private readonly runner: OperationRunner;
    /** The tail of each project stack's chain of runs: its lock. */
    private readonly tails = new Map<string, Promise<unknown>>();

    constructor(private readonly deps: ProjectServiceDeps) {
        this.runner = new OperationRunner(deps);
    }

    /**
     * Runs one engine operation on a project stack (the caller holds its lock), marked `running`
     * in the store meanwhile. A mark left by a stopped service means a possibly stale lock:
     * `pulumi cancel` (the executor's unlock) clears it first.
     */
    private async engineRun<T>(
        where: { project: string; stack: string; seedStack: string },
        ctx: RunContext,
        run: () => Promise<T>,
    ): Promise<T> {
        const { project, stack, seedStack } = where;
        const record = this.deps.store.get(project);
        const entry = record.stacks[stack];
        if (entry?.running) {
            ctx.onEvent({
                type: "log",
                message: `clearing the lock an interrupted operation may have left on project stack ${stack} (pulumi cancel)`,
            });
            await this.deps.executor.unlock(stack);
        }
        record.stacks[stack] = entry ? { ...entry, running: true } : { seedStack, hash: "", running: true };
        // The mark is on disk before the engine runs, so a crash mid-run is seen at the next start.
        await this.deps.store.put(record);
        try {
            return await run();
        } finally {
            const latest = this.deps.store.get(project);
            if (latest.stacks[stack]) {
                delete latest.stacks[stack].running;
                await this.deps.store.put(latest);
            }
        }
    }

    /** Runs `work` once every earlier run on `stack` has finished. */
    private exclusive<T>(stack: string, work: () => Promise<T>): Promise<T> {
        const previous = this.tails.get(stack) ?? Promise.resolve();
        const run = previous.then(work, work);
        const tail = run.catch(() => undefined);
        this.tails.set(stack, tail);
        void tail.then(() => {
            if (this.tails.get(stack) === tail) this.tails.delete(stack);
        });
        return run;
    }

    /**
     * The project program's spec. Grafana's URL is the operator's for the seed, else the seed's
     * output: never a request's, nor one stored by an earlier run (a stack applied before requests
     * lost `seedApi` may have stored one a request chose).
     */
    private specOf(record: ProjectRecord, target: ProjectTarget): ProjectSpec {
        const grafanaUrl = this.deps.seedApis?.[target.seedStack]?.grafanaUrl;
        return {
            project: record.project,
            seedStack: target.seedStack,
            members: record.members,
            ...(grafanaUrl !== undefined ? { grafanaUrl } : {}),
        };
    }

    /** Whether the project stack of `target` was applied (so cluster stacks can read its org id). */
    isApplied(target: ProjectTarget): boolean {
        const entry = this.deps.store.get(target.project).stacks[projectStackName(target.seedStack, target.project)];
        return entry !== undefined && entry.hash !== "";
    }

    /** The project's stored members and applied stacks. */
    get(project: string): ProjectRecord {
        return this.deps.store.get(project);
    }

    /**
     * Brings the project stack of `target` up to date (an `up` unless the same spec was applied
     * last); call it inside the cluster's operation, before the cluster program.
     */
    ensure(target: ProjectTarget, ctx: RunContext): Promise<void> {
        const stack = projectStackName(target.seedStack, target.project);
        return this.exclusive(stack, async () => {
            const record = this.deps.store.get(target.project);
            const spec = this.specOf(record, target);
            const hash = specHash(spec);
            if (record.stacks[stack]?.hash === hash) {
                ctx.onEvent({
                    type: "log",
                    message: `project stack ${stack} is up to date (org ${record.stacks[stack].orgId ?? "?"})`,
                });
                return;
            }
            ctx.onEvent({
                type: "log",
                message: `project stack ${stack}: up (Grafana org ${target.project}, ${spec.members.length} explicit members)`,
            });
            const result = await this.engineRun(
                { project: target.project, stack, seedStack: target.seedStack },
                ctx,
                () => this.deps.executor.upProject({ stack, spec, signal: ctx.signal, onEvent: ctx.onEvent }),
            );
            const orgId = result.outputs.grafanaOrgId?.value;
            const latest = this.deps.store.get(target.project);
            latest.stacks[stack] = {
                seedStack: target.seedStack,
                hash,
                ...(typeof orgId === "number" ? { orgId } : {}),
            };
            await this.deps.store.put(latest);
        });
    }

    /**
     * After cluster `clusterId` of `target` was destroyed: destroys the project stack when no
     * other registered cluster of the project uses that seed. A stack the service never applied
     * is left alone.
     */
    release(clusterId: string, target: ProjectTarget, ctx: RunContext): Promise<void> {
        const stack = projectStackName(target.seedStack, target.project);
        return this.exclusive(stack, async () => {
            // Clusters being deleted do not count: two last clusters offboarded together must not
            // keep the org alive for each other (a failed destroy's PUT creates it again).
            const others = this.deps.registry
                .clusters()
                .filter(
                    (c) =>
                        c.id !== clusterId &&
                        c.status !== "deleting" &&
                        c.project === target.project &&
                        c.seed === target.seedStack,
                );
            const record = this.deps.store.get(target.project);
            const applied = record.stacks[stack];
            if (others.length > 0) {
                ctx.onEvent({
                    type: "log",
                    message: `project stack ${stack} stays: ${others.length} other cluster(s) of project ${target.project} use it`,
                });
                return;
            }
            if (!applied) return;
            ctx.onEvent({
                type: "log",
                message: `last cluster of project ${target.project} on ${target.seedStack} offboarded: destroying project stack ${stack} (its Grafana org)`,
            });
            const spec = this.specOf(record, target);
            await this.engineRun({ project: target.project, stack, seedStack: target.seedStack }, ctx, () =>
                this.deps.executor.destroyProject({ stack, spec, signal: ctx.signal, onEvent: ctx.onEvent }),
            );
            const latest = this.deps.store.get(target.project);
            delete latest.stacks[stack];
            await this.deps.store.put(latest);
            await this.deps.store.removeIfEmpty(target.project);
        });
    }

    /**
     * Replaces the project's explicit members (checked again here: Viewer or Editor only) and
     * queues an `up` of every project stack in use, one per seed with clusters of the project.
     * Throws {@link ProjectInputError} for bad members, and the scheduler's QueueFullError or
     * ShuttingDownError when it cannot take the operations.
     */
    async setMembers(project: string, members: ProjectMember[]): Promise<MembersAccepted> {
        const problems = memberProblems(members).map((p) => `${p.path} ${p.message}`);
        if (problems.length > 0) throw new ProjectInputError(problems);
        const record = this.deps.store.get(project);
        const seeds = [
            ...new Set(
                this.deps.registry
                    .clusters()
                    .filter((c) => c.project === project)
                    .map((c) => c.seed),
            ),
        ].sort();
        // Admission first, so a full queue leaves the stored members unchanged.
        if (seeds.length > 0) this.deps.scheduler.admit();
        // Written to memory now (the operations below read it), to disk before the answer.
        const stored = this.deps.store.put({ ...record, members });
        const operations: OperationRecord[] = [];
        for (const seedStack of seeds) {
            const stack = projectStackName(seedStack, project);
            const op = this.runner.create(stack, "up");
            const job = this.runner.job(
                op,
                async (ctx) => {
                    await this.ensure({ project, seedStack }, ctx);
                    const applied = this.deps.store.get(project).stacks[stack];
                    return { outputs: { project, grafanaOrgId: applied?.orgId, members: members.length } };
                },
                (text) => text,
            );
            this.deps.scheduler.submit(job);
            operations.push(op);
        }
        await Promise.all([stored, this.deps.registry.durable()]);
        return { project, members, operations };
    }
}
