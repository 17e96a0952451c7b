/**
 * An executor that runs nothing: it records every call (unless `keepCalls` is false), emits
 * plausible progress events and answers after a delay. Tests use it to drive the service;
 * `mla serve --executor memory` uses it for demos without a cluster.
 */
import { CERTIFICATE_NOT_AFTER_OUTPUT } from "../../components/pki/pki-renewal";
import type { ClusterSpec } from "../../spec/cluster-spec";
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
import { MemoryCertificates } from "./memory-certificates";
import { type MemoryProjectOptions, MemoryProjectStacks, type MemoryProjectCall } from "./memory-project-stacks";
import { cancelled, delay, summaryOf } from "./memory-simulation";

/** One recorded call. */
export interface MemoryCall {
    method: "up" | "preview" | "destroy" | "unlock" | "checkDrift";
    clusterId: string;
    spec?: ClusterSpec;
    purge?: boolean;
}

/** Behaviour knobs; `failProject`, `gateProject` and `delayMs` also apply to project stacks. */
export interface MemoryExecutorOptions extends MemoryProjectOptions {
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
    private readonly certificates = new MemoryCertificates();
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
        this.certificates.set(clusterId, notAfterMs);
    }

    private readonly projects: MemoryProjectStacks;

    constructor(private readonly options: MemoryExecutorOptions = {}) {
        this.projects = new MemoryProjectStacks(options);
    }

    private async perform(call: MemoryCall, { signal, onEvent, op, planned }: PerformOptions): Promise<ResourceStep[]> {
        this.record(call);
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
            await delay(this.options.delayMs ?? 20, signal);
            const gate = this.options.gate?.(call);
            if (gate) await Promise.race([gate, cancelled(signal)]);
            const failure = this.options.failWith?.(call);
            if (failure !== undefined) throw new ExecutorError("engine-failed", failure);
            return steps;
        } finally {
            this.active--;
            this.activePerCluster.set(call.clusterId, perCluster - 1);
        }
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
        const notAfter = this.certificates.renew(request.spec, () => this.options.now?.() ?? Date.now());
        const outputs: Record<string, StackOutput> = {
            gatewayHostname: { value: `${request.clusterId}.gateway.example`, secret: false },
            namespace: { value: `cluster-${request.clusterId}`, secret: false },
            agentClientKey: { value: `fake-key-of-${request.clusterId}`, secret: true },
            ...(notAfter ? { [CERTIFICATE_NOT_AFTER_OUTPUT]: { value: notAfter, secret: false } } : {}),
            ...this.options.extraOutputs?.(request.clusterId),
        };
        this.lastOutputs.set(request.clusterId, outputs);
        return { changeSummary: summaryOf(steps), outputs };
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
        return { changeSummary: summaryOf(steps), steps };
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
        return { changeSummary: summaryOf(steps) };
    }

    async unlock(clusterId: string): Promise<void> {
        this.record({ method: "unlock", clusterId });
    }

    private record(call: MemoryCall): void {
        if (this.options.keepCalls !== false) this.calls.push(call);
    }

    /** Every project-stack call, in order. */
    get projectCalls(): MemoryProjectCall[] {
        return this.projects.calls;
    }

    /** The org id each existing project stack "created", by stack name. */
    get projectOrgs(): Map<string, number> {
        return this.projects.orgs;
    }

    /** Highest number of calls running at once on one project stack. */
    get maxPerProjectStack(): number {
        return this.projects.maxPerStack;
    }

    /** Pretends to apply the project program: the org gets an id on create and keeps it. */
    upProject(request: ProjectRequest): Promise<UpResult> {
        return this.projects.up(request);
    }

    /** Pretends to destroy the project stack (its org); a stack that never existed deletes nothing. */
    destroyProject(request: ProjectRequest): Promise<DestroyResult> {
        return this.projects.destroy(request);
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
