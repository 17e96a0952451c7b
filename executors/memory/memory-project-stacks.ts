/**
 * The in-memory executor's project stacks: each `up` pretends to apply the project program (one
 * Grafana org that gets an id on create and keeps it), each `destroy` pretends to delete it. Every
 * call is recorded (unless `keepCalls` is false), and the concurrency per stack is tracked.
 */
import type { ProjectSpec } from "../../spec/project-spec";
import { type DestroyResult, ExecutorError, type ProjectRequest, type UpResult } from "../executor";
import type { ResourceStep } from "../operation-types";
import { cancelled, delay, summaryOf } from "./memory-simulation";

/** One recorded project-stack call. */
export interface MemoryProjectCall {
    method: "upProject" | "destroyProject";
    /** The stack name. */
    stack: string;
    spec: ProjectSpec;
}

/** Behaviour knobs of the project stacks (part of the executor's options). */
export interface MemoryProjectOptions {
    /** A message to fail a project-stack call with (as an engine failure), or undefined to succeed. */
    failProject?(call: MemoryProjectCall): string | undefined;
    /** A promise a project-stack call waits for before finishing. */
    gateProject?(call: MemoryProjectCall): Promise<void> | undefined;
    /** Time each call takes, in ms. Defaults to 20. */
    delayMs?: number;
    /**
     * Whether `calls` keeps every call (tests read it). Defaults to true. A long-running demo
     * service and the benchmark pass false: the log grows with every operation and holds each
     * spec, kubeconfigs included, which no real executor keeps.
     */
    keepCalls?: boolean;
}

const ORG_TYPE = "grafana:oss/organization:Organization";

/** The project stacks that "exist", and every call made on them. */
export class MemoryProjectStacks {
    /** Every project-stack call, in order. */
    readonly calls: MemoryProjectCall[] = [];
    /** The org id each existing project stack "created", by stack name. */
    readonly orgs = new Map<string, number>();
    /** Highest number of calls running at once on one project stack. */
    maxPerStack = 0;
    private readonly active = new Map<string, number>();
    private nextOrgId = 2;

    constructor(private readonly options: MemoryProjectOptions) {}

    /** Pretends to apply the project program: the org gets an id on create and keeps it. */
    async up(request: ProjectRequest): Promise<UpResult> {
        const op = this.orgs.has(request.stack) ? "update" : "create";
        const steps = await this.perform(
            { method: "upProject", stack: request.stack, spec: request.spec },
            request,
            op,
        );
        const orgId = this.orgs.get(request.stack) ?? this.nextOrgId++;
        this.orgs.set(request.stack, orgId);
        return {
            changeSummary: summaryOf(steps),
            outputs: {
                project: { value: request.spec.project, secret: false },
                grafanaOrgId: { value: orgId, secret: false },
            },
        };
    }

    /** Pretends to destroy the project stack (its org); a stack that never existed deletes nothing. */
    async destroy(request: ProjectRequest): Promise<DestroyResult> {
        const existed = this.orgs.delete(request.stack);
        const steps = await this.perform(
            { method: "destroyProject", stack: request.stack, spec: request.spec },
            request,
            "delete",
        );
        return { changeSummary: existed ? summaryOf(steps) : {} };
    }

    private async perform(call: MemoryProjectCall, request: ProjectRequest, op: string): Promise<ResourceStep[]> {
        if (this.options.keepCalls !== false) this.calls.push(call);
        const active = (this.active.get(call.stack) ?? 0) + 1;
        this.active.set(call.stack, active);
        this.maxPerStack = Math.max(this.maxPerStack, active);
        try {
            const steps = [
                {
                    op,
                    urn: `urn:pulumi:${call.stack}::mla::${ORG_TYPE}::project`,
                    type: ORG_TYPE,
                    name: "project",
                    diffs: op === "update" ? ["editors", "viewers"] : [],
                },
            ];
            for (const step of steps)
                request.onEvent({ type: "step", message: `${step.op} ${step.type} ${step.name}`, data: { ...step } });
            await delay(this.options.delayMs ?? 20, request.signal);
            const gate = this.options.gateProject?.(call);
            if (gate) await Promise.race([gate, cancelled(request.signal)]);
            const failure = this.options.failProject?.(call);
            if (failure !== undefined) throw new ExecutorError("engine-failed", failure);
            return steps;
        } finally {
            this.active.set(call.stack, active - 1);
        }
    }
}
