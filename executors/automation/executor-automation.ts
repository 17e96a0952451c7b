/**
 * The real executor: Pulumi's Automation API on this machine, one workspace directory per stack
 * (`stack-workspaces.ts`; local workspaces change their "current stack", so they are never shared
 * between stacks).
 *
 * Secrets never reach argv: kubeconfigs go to the inline program in memory (no `setConfig`,
 * which passes values on the command line; it is used only for the plain
 * `pulumi:disable-default-providers` setting), and the passphrase goes through the environment.
 * Cancellation is the AbortSignal, which the SDK turns into SIGINT to the CLI.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { StackNotFoundError, type Stack } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../../spec/cluster-spec";
import type { ProjectSpec } from "../../spec/project-spec";
import { backendCheck, cliCheck, secretsCheck, seedCheck } from "./automation-readiness";
import type { SpawnRecord } from "./engine-command";
import { classifyEngineError } from "./engine-errors";
import { StepCollector } from "./engine-events";
import { DISABLE_DEFAULT_GRAFANA_PROVIDER, DISABLE_DEFAULT_PROVIDERS } from "./stack-settings";
import { StackWorkspaces } from "./stack-workspaces";
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

/** The cluster program's body, as `programs/cluster.ts` exports it. */
export type ClusterProgram = (spec: ClusterSpec) => Promise<Record<string, unknown>>;

/** The project program's body, as `programs/project.ts` exports it. */
export type ProjectProgram = (spec: ProjectSpec) => Promise<Record<string, unknown>>;

/** Settings of the Automation API executor. */
export interface AutomationExecutorOptions {
    /** Workspaces live in `<dataDir>/workspaces/<cluster>`; the default state in `<dataDir>/state`. */
    dataDir: string;
    /** Any Pulumi backend URL (`s3://...`, `https://api.pulumi.com`). Defaults to `file://<dataDir>/state`. */
    backendUrl?: string;
    /** The inline program. */
    program: ClusterProgram;
    /** The inline program of project stacks. Defaults to `programs/project.ts`, loaded on first use. */
    projectProgram?: ProjectProgram;
    /** A secrets provider URL (`awskms://...`); the passphrase provider when unset. */
    secretsProvider?: string;
    /**
     * The environment child processes are given the allow-listed part of (`engine-env.ts`: PATH,
     * HOME, PULUMI_*, cloud credentials, proxies; never MLA_*). Defaults to `process.env`.
     */
    env?: NodeJS.ProcessEnv;
    /** Readiness checks added to the executor's own, e.g. the provider plugins. */
    extraChecks?: () => ReadyCheck[];
    /** Sees every `pulumi` the workspaces start, with its argv and environment (tests). */
    onSpawn?: (record: SpawnRecord) => void;
    /** An extra readiness check, e.g. whether the cluster program is available. */
    programCheck?: () => ReadyCheck;
}

/**
 * Refuses a stack that is not cluster `clusterId`'s: one whose last deployment left outputs, but
 * not the cluster program's `clusterId` output with this id. A cluster's stack is named after its
 * id, in the project seeds use too, so a cluster id equal to a seed's stack name (or a project
 * stack's, or a hand-made one's) would otherwise run the cluster program on that stack, deleting
 * everything of the seed, and a DELETE would destroy and remove it. A stack with no outputs has
 * never completed a deployment (a new one, or a cluster's first `up` that failed) and is taken.
 */
export async function ownedBy(stack: Stack, clusterId: string): Promise<void> {
    const outputs = await stack.outputs();
    if (Object.keys(outputs).length === 0 || outputs.clusterId?.value === clusterId) return;
    throw new ExecutorError(
        "stack-not-owned",
        `stack ${clusterId} exists and is not cluster ${clusterId}'s (its outputs have no clusterId ${clusterId}: a seed's, a project's or another program's stack); nothing was changed`,
    );
}

/** The Automation API executor. */
export class AutomationExecutor implements Executor {
    readonly name = "automation";
    readonly backendUrl: string;
    private readonly env: NodeJS.ProcessEnv;
    private readonly workspaces: StackWorkspaces;

    constructor(private readonly options: AutomationExecutorOptions) {
        this.backendUrl = options.backendUrl ?? `file://${join(options.dataDir, "state")}`;
        this.env = options.env ?? process.env;
        this.workspaces = new StackWorkspaces({
            dataDir: options.dataDir,
            backendUrl: this.backendUrl,
            env: this.env,
            secretsProvider: options.secretsProvider,
            onSpawn: options.onSpawn,
        });
    }

    /** The whole environment of every CLI call: see {@link StackWorkspaces.envVars}. */
    envVars(): Record<string, string> {
        return this.workspaces.envVars();
    }

    /** Selects or creates the cluster's stack with an inline program over `spec`. */
    private stack(clusterId: string, spec: ClusterSpec | undefined, workDir?: string): Promise<Stack> {
        const program = async () => {
            if (!spec) throw new Error("this operation does not run the program");
            // Marked secret inside the program so the engine encrypts them in state.
            return this.options.program({
                ...spec,
                seedKubeconfig: pulumi.secret(spec.seedKubeconfig),
                userKubeconfig: pulumi.secret(spec.userKubeconfig),
            });
        };
        // The engine then refuses any Kubernetes resource without an explicit provider, instead of
        // silently applying it to whatever cluster the ambient kubeconfig points at. Not secret.
        return this.workspaces.open({
            name: clusterId,
            program,
            workDir,
            config: [DISABLE_DEFAULT_PROVIDERS],
            check: (stack) => ownedBy(stack, clusterId),
        });
    }

    /** Selects or creates a project stack with the project program over `spec` (no secrets in it). */
    private async projectStack(name: string, spec: ProjectSpec): Promise<Stack> {
        const run = this.options.projectProgram ?? (await import("../../programs/project")).projectProgram;
        return this.workspaces.open({
            name,
            program: () => run(spec),
            config: [DISABLE_DEFAULT_PROVIDERS, DISABLE_DEFAULT_GRAFANA_PROVIDER],
        });
    }

    /** Runs `work`, turning whatever the Automation API throws into a classified error. */
    private async classified<T>(work: () => Promise<T>): Promise<T> {
        try {
            return await work();
        } catch (e) {
            throw classifyEngineError(e);
        }
    }

    up(request: ExecutorRequest): Promise<UpResult> {
        return this.classified(async () => {
            const stack = await this.stack(request.clusterId, request.spec);
            const collector = new StepCollector(request.onEvent);
            const result = await stack.up({ onEvent: collector.handle, signal: request.signal });
            return {
                changeSummary: (result.summary?.resourceChanges as Record<string, number>) ?? collector.changeSummary,
                outputs: result.outputs,
            };
        });
    }

    /**
     * The reconciler's drift check: `pulumi refresh` (the state takes in the live objects), then
     * `pulumi preview` of the stored spec; the changing steps are what an `up` would put back.
     * The outputs (certificate expiries, the read token) are the state's after the refresh.
     */
    checkDrift(request: ExecutorRequest): Promise<DriftResult> {
        return this.classified(async () => {
            const stack = await this.stack(request.clusterId, request.spec);
            await stack.refresh({ signal: request.signal });
            const collector = new StepCollector(request.onEvent);
            const result = await stack.preview({ onEvent: collector.handle, signal: request.signal, diff: false });
            return {
                changeSummary: result.changeSummary as Record<string, number>,
                steps: collector.steps.filter((s) => s.op !== "same"),
                outputs: await stack.outputs(),
                detail: "pulumi refresh, then preview",
            };
        });
    }

    /** The stack's outputs from its state (secrets decrypted); no program runs. */
    outputs(clusterId: string): Promise<Record<string, StackOutput>> {
        return this.classified(async () => {
            const stack = await this.workspaces.select(clusterId);
            await ownedBy(stack, clusterId);
            return stack.outputs();
        });
    }

    /**
     * A preview of a stack that exists runs in the cluster's workspace. A preview of one that does
     * not (a cluster not onboarded yet) leaves nothing behind: it runs in a temporary workspace
     * directory on a stack created for it, which is removed afterwards (`pulumi stack rm` without
     * `--force`, which refuses a stack holding resources; a preview creates none), and so is the
     * directory. The scheduler runs one operation per cluster at a time, so no `up` can create
     * the real stack in between.
     */
    preview(request: ExecutorRequest): Promise<PreviewResult> {
        return this.classified(async () => {
            const scratch = this.workspaces.scratchDir("preview-");
            try {
                const exists = await this.workspaces.exists(request.clusterId, scratch);
                const stack = await this.stack(
                    request.clusterId,
                    request.spec,
                    exists ? this.workspaces.workDir(request.clusterId) : scratch,
                );
                const collector = new StepCollector(request.onEvent);
                try {
                    const result = await stack.preview({
                        onEvent: collector.handle,
                        signal: request.signal,
                        diff: false,
                    });
                    return { changeSummary: result.changeSummary as Record<string, number>, steps: collector.steps };
                } finally {
                    if (!exists) await stack.workspace.removeStack(request.clusterId);
                }
            } finally {
                rmSync(scratch, { recursive: true, force: true });
            }
        });
    }

    destroy(request: DestroyRequest): Promise<DestroyResult> {
        return this.classified(async () => {
            const collector = new StepCollector(request.onEvent);
            if (request.purge && request.spec) {
                // Purge happens in the tenant resources' delete; record the switch in state first.
                request.onEvent({ type: "log", message: "recording purgeOnDestroy in the stack before destroying" });
                const spec = { ...request.spec, tenant: { ...request.spec.tenant, purgeOnDestroy: true } };
                await (
                    await this.stack(request.clusterId, spec)
                ).up({ onEvent: collector.handle, signal: request.signal });
            }
            const stack = await this.stack(request.clusterId, request.spec);
            await stack.destroy({ onEvent: collector.handle, signal: request.signal });
            await stack.workspace.removeStack(request.clusterId);
            rmSync(this.workspaces.workDir(request.clusterId), { recursive: true, force: true });
            return { changeSummary: collector.changeSummary };
        });
    }

    upProject(request: ProjectRequest): Promise<UpResult> {
        return this.classified(async () => {
            const stack = await this.projectStack(request.stack, request.spec);
            const collector = new StepCollector(request.onEvent);
            const result = await stack.up({ onEvent: collector.handle, signal: request.signal });
            return {
                changeSummary: (result.summary?.resourceChanges as Record<string, number>) ?? collector.changeSummary,
                outputs: result.outputs,
            };
        });
    }

    destroyProject(request: ProjectRequest): Promise<DestroyResult> {
        return this.classified(async () => {
            const collector = new StepCollector(request.onEvent);
            const stack = await this.projectStack(request.stack, request.spec);
            await stack.destroy({ onEvent: collector.handle, signal: request.signal });
            await stack.workspace.removeStack(request.stack);
            rmSync(this.workspaces.workDir(request.stack), { recursive: true, force: true });
            return { changeSummary: collector.changeSummary };
        });
    }

    /** `pulumi cancel`: clears the lock a crashed update left on a DIY backend. */
    async unlock(clusterId: string): Promise<void> {
        let stack: Stack;
        try {
            stack = await this.workspaces.select(clusterId);
        } catch (e) {
            if (e instanceof StackNotFoundError) return; // never created: nothing to unlock
            throw classifyEngineError(e);
        }
        // A cluster's stack (its id, a DNS label; project stacks have a '.') must be that cluster's:
        // `pulumi cancel` would stop a seed's running update.
        if (!clusterId.includes(".")) await ownedBy(stack, clusterId);
        // Fails when no update holds the lock, which is the good case.
        await stack.cancel().catch(() => undefined);
    }

    async checkReady(): Promise<ReadyCheck[]> {
        const cli = await this.workspaces.probeCli();
        const checks: ReadyCheck[] = [
            cliCheck(cli),
            await backendCheck({
                backendUrl: this.backendUrl,
                cliPresent: cli.version !== undefined,
                env: this.workspaces.envVars(),
            }),
            secretsCheck(this.options.secretsProvider, this.env),
        ];
        if (this.options.programCheck) checks.push(this.options.programCheck());
        checks.push(...(this.options.extraChecks?.() ?? []));
        return checks;
    }

    /** Whether the seed stack cluster stacks reference is readable in this executor's backend (`seedCheck`). */
    checkSeed(seedStack: string): Promise<ReadyCheck> {
        return seedCheck(this.workspaces, seedStack);
    }
}
