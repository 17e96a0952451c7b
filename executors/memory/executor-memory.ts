/**
 * An executor that runs nothing: it records every call, emits plausible progress events and
 * answers after a delay. Tests use it to drive the service; `mla serve --executor memory` uses it
 * for demos without a cluster.
 */
import { CERTIFICATE_NOT_AFTER_OUTPUT, renewalDue } from "../../components/pki/pki-renewal";
import type { ClusterSpec } from "../../spec/cluster-spec";
import type { ProjectSpec } from "../../spec/project-spec";
import {
    type DestroyRequest,
    type DestroyResult,
    type DriftResult,
    type Executor,
    ExecutorError,
    type ExecutorRequest,
    type PreviewResult,
    type ProjectRequest,
    type ReadyCheck,
    type StackOutput,
    type UpResult,
} from "../executor";
import type { ResourceStep } from "../operation-types";

/** One recorded call. */
export interface MemoryCall {
    method: "up" | "preview" | "destroy" | "unlock" | "checkDrift";
    clusterId: string;
    spec?: ClusterSpec;
    purge?: boolean;
}

/** One recorded project-stack call. */
export interface MemoryProjectCall {
    method: "upProject" | "destroyProject";
    /** The stack name. */
    stack: string;
    spec: ProjectSpec;
}

/** Behaviour knobs. */
export interface MemoryExecutorOptions {
    /** A message to fail a project-stack call with (as an engine failure), or undefined to succeed. */
    failProject?(call: MemoryProjectCall): string | undefined;
    /** A promise a project-stack call waits for before finishing. */
    gateProject?(call: MemoryProjectCall): Promise<void> | undefined;
    /** Time each operation takes, in ms. Defaults to 20. */
    delayMs?: number;
    /** A message to fail the call with (as an engine failure), or undefined to succeed. */
    failWith?(call: MemoryCall): string | undefined;
    /** A promise the call waits for before finishing (tests hold operations open with it). */
    gate?(call: MemoryCall): Promise<void> | undefined;
    /** The steps a preview reports (the fleet-preview tests plan replacements with it); the demo steps when undefined. */
    previewSteps?(call: MemoryCall): ResourceStep[] | undefined;
    /** The seed stacks `checkSeed` finds readable; every seed when undefined. */
    seeds?: readonly string[];
    /** The clock certificate renewal is judged by (epoch ms). Defaults to `Date.now`. */
    now?(): number;
    /** More outputs an `up` reports (the health tests give a read listener URL and token). */
    extraOutputs?(clusterId: string): Record<string, StackOutput>;
}

/** The demo resources every cluster "has". */
const RESOURCES: ReadonlyArray<{ type: string; name: string }> = [
    { type: "kubernetes:core/v1:Namespace", name: "seed-namespace" },
    { type: "tls:index/privateKey:PrivateKey", name: "ca-key" },
    { type: "kubernetes:apps/v1:Deployment", name: "gateway" },
    { type: "kubernetes:apps/v1:Deployment", name: "metrics-agent" },
];

/** How one recorded call runs: what cancels it, where its events go and which steps it reports. */
interface PerformOptions {
    signal: AbortSignal;
    onEvent: ExecutorRequest["onEvent"];
    /** The op of the demo steps. */
    op: string;
    /** The steps to report instead of the demo steps. */
    planned?: ResourceStep[];
}

/** The in-memory executor. */
export class MemoryExecutor implements Executor {
    readonly name = "memory";
    readonly calls: MemoryCall[] = [];
    private active = 0;
    private readonly activePerCluster = new Map<string, number>();
    /** Highest number of calls running at once, overall. */
    maxConcurrency = 0;
    /** Highest number of calls running at once for a single cluster. */
    maxPerCluster = 0;
    private readonly applied = new Map<string, string>();
    /** Stacks that exist: created when an `up` starts (as `createOrSelectStack` does), gone after a `destroy` succeeds. */
    private readonly created = new Set<string>();

    /** Every stack that exists now, sorted: what the model test compares with the registry. */
    stacks(): string[] {
        return [...this.created].sort();
    }
    private readonly drift = new Map<string, ResourceStep[]>();
    private readonly certificates = new Map<string, Record<string, number>>();
    private readonly lastOutputs = new Map<string, Record<string, StackOutput>>();

    /**
     * Test hook: the next drift checks of `clusterId` report these steps (what someone changed
     * behind the stack's back), until an `up` converges the cluster again. `[]` clears it.
     */
    setDrift(clusterId: string, steps: ResourceStep[]): void {
        this.drift.set(clusterId, steps);
    }

    /**
     * Test hook: the cluster's certificates expire at these instants (epoch ms). Like
     * @pulumi/tls, an `up` replaces each one inside its renewal window with one valid for
     * `pki.validityHours` from then.
     */
    setCertificates(clusterId: string, notAfterMs: Record<string, number>): void {
        this.certificates.set(clusterId, { ...notAfterMs });
    }

    private renewCertificates(spec: ClusterSpec): Record<string, string> | undefined {
        const certs = this.certificates.get(spec.clusterId);
        if (!certs) return undefined;
        const now = this.options.now?.() ?? Date.now();
        for (const [name, notAfter] of Object.entries(certs)) {
            if (renewalDue(notAfter, spec.pki.earlyRenewalHours, now))
                certs[name] = now + spec.pki.validityHours * 3600_000;
        }
        return Object.fromEntries(Object.entries(certs).map(([name, ms]) => [name, new Date(ms).toISOString()]));
    }

    constructor(private readonly options: MemoryExecutorOptions = {}) {}

    private async perform(call: MemoryCall, { signal, onEvent, op, planned }: PerformOptions): Promise<ResourceStep[]> {
        this.calls.push(call);
        this.active++;
        const perCluster = (this.activePerCluster.get(call.clusterId) ?? 0) + 1;
        this.activePerCluster.set(call.clusterId, perCluster);
        this.maxConcurrency = Math.max(this.maxConcurrency, this.active);
        this.maxPerCluster = Math.max(this.maxPerCluster, perCluster);
        try {
            const steps =
                planned ??
                RESOURCES.map((r) => ({
                    op,
                    urn: `urn:pulumi:${call.clusterId}::mla::${r.type}::${r.name}`,
                    ...r,
                    diffs: op === "update" ? ["spec"] : [],
                }));
            for (const step of steps)
                onEvent({ type: "step", message: `${step.op} ${step.type} ${step.name}`, data: { ...step } });
            await this.wait(this.options.delayMs ?? 20, signal);
            const gate = this.options.gate?.(call);
            if (gate) await Promise.race([gate, this.aborted(signal)]);
            const failure = this.options.failWith?.(call);
            if (failure !== undefined) throw new ExecutorError("engine-failed", failure);
            return steps;
        } finally {
            this.active--;
            this.activePerCluster.set(call.clusterId, perCluster - 1);
        }
    }

    private aborted(signal: AbortSignal): Promise<never> {
        return new Promise((_, reject) => {
            if (signal.aborted) reject(new ExecutorError("cancelled", "cancelled"));
            signal.addEventListener("abort", () => reject(new ExecutorError("cancelled", "cancelled")), { once: true });
        });
    }

    private wait(ms: number, signal: AbortSignal): Promise<void> {
        return Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), this.aborted(signal)]);
    }

    private summary(steps: ResourceStep[]): Record<string, number> {
        return { [steps[0]?.op ?? "same"]: steps.length };
    }

    async up(request: ExecutorRequest): Promise<UpResult> {
        const op = this.applied.has(request.clusterId) ? "update" : "create";
        this.created.add(request.clusterId);
        const steps = await this.perform(
            { method: "up", clusterId: request.clusterId, spec: request.spec },
            { signal: request.signal, onEvent: request.onEvent, op },
        );
        this.applied.set(request.clusterId, request.spec.project);
        this.drift.delete(request.clusterId);
        const notAfter = this.renewCertificates(request.spec);
        const outputs: Record<string, StackOutput> = {
            gatewayHostname: { value: `${request.clusterId}.gateway.example`, secret: false },
            namespace: { value: `cluster-${request.clusterId}`, secret: false },
            agentClientKey: { value: `fake-key-of-${request.clusterId}`, secret: true },
            ...(notAfter ? { [CERTIFICATE_NOT_AFTER_OUTPUT]: { value: notAfter, secret: false } } : {}),
            ...this.options.extraOutputs?.(request.clusterId),
        };
        this.lastOutputs.set(request.clusterId, outputs);
        return { changeSummary: this.summary(steps), outputs };
    }

    /** Reports the steps set with {@link setDrift}; none when the cluster is converged. */
    async checkDrift(request: ExecutorRequest): Promise<DriftResult> {
        const steps = this.drift.get(request.clusterId) ?? [];
        await this.perform(
            { method: "checkDrift", clusterId: request.clusterId, spec: request.spec },
            { signal: request.signal, onEvent: () => undefined, op: "same", planned: steps },
        );
        const changeSummary: Record<string, number> = {};
        for (const step of steps) changeSummary[step.op] = (changeSummary[step.op] ?? 0) + 1;
        return { changeSummary, steps, outputs: this.lastOutputs.get(request.clusterId), detail: "in-memory executor" };
    }

    /** The outputs of the cluster's last `up`. */
    async outputs(clusterId: string): Promise<Record<string, StackOutput>> {
        return this.lastOutputs.get(clusterId) ?? {};
    }

    async preview(request: ExecutorRequest): Promise<PreviewResult> {
        const op = this.applied.has(request.clusterId) ? "update" : "create";
        const call: MemoryCall = { method: "preview", clusterId: request.clusterId, spec: request.spec };
        const steps = await this.perform(call, {
            signal: request.signal,
            onEvent: request.onEvent,
            op,
            planned: this.options.previewSteps?.(call),
        });
        return { changeSummary: this.summary(steps), steps };
    }

    async destroy(request: DestroyRequest): Promise<DestroyResult> {
        const call: MemoryCall = {
            method: "destroy",
            clusterId: request.clusterId,
            spec: request.spec,
            purge: request.purge,
        };
        const steps = await this.perform(call, { signal: request.signal, onEvent: request.onEvent, op: "delete" });
        this.applied.delete(request.clusterId);
        this.created.delete(request.clusterId);
        this.lastOutputs.delete(request.clusterId);
        return { changeSummary: this.summary(steps) };
    }

    async unlock(clusterId: string): Promise<void> {
        this.calls.push({ method: "unlock", clusterId });
    }

    /** Every project-stack call, in order. */
    readonly projectCalls: MemoryProjectCall[] = [];
    /** The org id each existing project stack "created", by stack name. */
    readonly projectOrgs = new Map<string, number>();
    /** Highest number of calls running at once on one project stack. */
    maxPerProjectStack = 0;
    private readonly activePerProject = new Map<string, number>();
    private nextOrgId = 2;

    private async performProject(
        call: MemoryProjectCall,
        request: ProjectRequest,
        op: string,
    ): Promise<ResourceStep[]> {
        this.projectCalls.push(call);
        const active = (this.activePerProject.get(call.stack) ?? 0) + 1;
        this.activePerProject.set(call.stack, active);
        this.maxPerProjectStack = Math.max(this.maxPerProjectStack, active);
        try {
            const type = "grafana:oss/organization:Organization";
            const steps = [
                {
                    op,
                    urn: `urn:pulumi:${call.stack}::mla::${type}::project`,
                    type,
                    name: "project",
                    diffs: op === "update" ? ["editors", "viewers"] : [],
                },
            ];
            for (const step of steps)
                request.onEvent({ type: "step", message: `${step.op} ${step.type} ${step.name}`, data: { ...step } });
            await this.wait(this.options.delayMs ?? 20, request.signal);
            const gate = this.options.gateProject?.(call);
            if (gate) await Promise.race([gate, this.aborted(request.signal)]);
            const failure = this.options.failProject?.(call);
            if (failure !== undefined) throw new ExecutorError("engine-failed", failure);
            return steps;
        } finally {
            this.activePerProject.set(call.stack, active - 1);
        }
    }

    /** Pretends to apply the project program: the org gets an id on create and keeps it. */
    async upProject(request: ProjectRequest): Promise<UpResult> {
        const op = this.projectOrgs.has(request.stack) ? "update" : "create";
        const steps = await this.performProject(
            { method: "upProject", stack: request.stack, spec: request.spec },
            request,
            op,
        );
        const orgId = this.projectOrgs.get(request.stack) ?? this.nextOrgId++;
        this.projectOrgs.set(request.stack, orgId);
        return {
            changeSummary: this.summary(steps),
            outputs: {
                project: { value: request.spec.project, secret: false },
                grafanaOrgId: { value: orgId, secret: false },
            },
        };
    }

    /** Pretends to destroy the project stack (its org); a stack that never existed deletes nothing. */
    async destroyProject(request: ProjectRequest): Promise<DestroyResult> {
        const existed = this.projectOrgs.delete(request.stack);
        const steps = await this.performProject(
            { method: "destroyProject", stack: request.stack, spec: request.spec },
            request,
            "delete",
        );
        return { changeSummary: existed ? this.summary(steps) : {} };
    }

    async checkSeed(seedStack: string): Promise<ReadyCheck> {
        const ok = this.options.seeds === undefined || this.options.seeds.includes(seedStack);
        return {
            name: `seed ${seedStack}`,
            ok,
            detail: ok ? "readable (in-memory executor)" : `no stack ${seedStack} (in-memory executor)`,
        };
    }

    async checkReady(): Promise<ReadyCheck[]> {
        return [{ name: "executor", ok: true, detail: "in-memory executor (no engine; demo and tests only)" }];
    }
}
