/**
 * The real executor: Pulumi's Automation API on this machine, one workspace directory per stack
 * (local workspaces change their "current stack", so they are never shared between stacks).
 *
 * Secrets never reach argv: kubeconfigs go to the inline program in memory (no `setConfig`,
 * which passes values on the command line; it is used only for the plain
 * `pulumi:disable-default-providers` setting), and the passphrase goes through the environment.
 * Cancellation is the AbortSignal, which the SDK turns into SIGINT to the CLI.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type PulumiCommand, StackNotFoundError, type Stack } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../../spec/cluster-spec";
import type { ProjectSpec } from "../../spec/project-spec";
import { isolatedPulumiCommand, runIsolated, type SpawnRecord } from "./engine-command";
import { childEnvironment } from "./engine-env";
import { classifyEngineError, INSTALL_PULUMI } from "./engine-errors";
import { StepCollector } from "./engine-events";
import {
    type DestroyRequest,
    type DestroyResult,
    type DriftResult,
    type Executor,
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

const PROJECT = "mla";

/** Stack config every stack gets (as a `--path` list entry): no default Kubernetes provider. */
export const DISABLE_DEFAULT_PROVIDERS = { key: "pulumi:disable-default-providers[0]", value: "kubernetes" } as const;

/** Project stacks also get no default Grafana provider (it would read GRAFANA_URL/GRAFANA_AUTH from the environment). */
export const DISABLE_DEFAULT_GRAFANA_PROVIDER = {
    key: "pulumi:disable-default-providers[1]",
    value: "grafana",
} as const;

/** Runs `pulumi version`; resolves to the version or an errno code. */
function pulumiVersion(env: NodeJS.ProcessEnv): Promise<{ version?: string; code?: string }> {
    return new Promise((resolve) => {
        execFile(
            "pulumi",
            ["version"],
            { env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" }, timeout: 10_000 },
            (err, stdout) => {
                if (err)
                    resolve({
                        code:
                            (err as NodeJS.ErrnoException).code === "ENOENT"
                                ? "ENOENT"
                                : String((err as NodeJS.ErrnoException).code ?? "failed"),
                    });
                else resolve({ version: stdout.trim() });
            },
        );
    });
}

/** The Automation API executor. */
export class AutomationExecutor implements Executor {
    readonly name = "automation";
    readonly backendUrl: string;
    private readonly env: NodeJS.ProcessEnv;

    constructor(private readonly options: AutomationExecutorOptions) {
        this.backendUrl = options.backendUrl ?? `file://${join(options.dataDir, "state")}`;
        this.env = options.env ?? process.env;
    }

    /**
     * The whole environment of every CLI call (and so of the language host and plugins): the
     * allow-listed part of `env`, plus the backend; secrets go here, never on argv.
     */
    envVars(): Record<string, string> {
        return childEnvironment(this.env, { PULUMI_BACKEND_URL: this.backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true" });
    }

    private cliVersion?: string;

    /**
     * The `pulumi` the workspaces run: started with {@link envVars} and nothing inherited. The
     * version is asked once (`pulumi version`, same environment) and kept.
     */
    private async command(): Promise<PulumiCommand> {
        if (!this.cliVersion) {
            const cli = await pulumiVersion(this.envVars());
            if (!cli.version)
                throw classifyEngineError(
                    new Error(cli.code === "ENOENT" ? "spawn pulumi ENOENT" : `pulumi version failed (${cli.code})`),
                );
            this.cliVersion = cli.version;
        }
        return isolatedPulumiCommand(this.cliVersion, { record: this.options.onSpawn });
    }

    private workDir(clusterId: string): string {
        const dir = join(this.options.dataDir, "workspaces", clusterId);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        return dir;
    }

    /** Selects or creates the stack with an inline program over `spec`. */
    private async stack(
        clusterId: string,
        spec: ClusterSpec | undefined,
        workDir = this.workDir(clusterId),
    ): Promise<Stack> {
        const program = async () => {
            if (!spec) throw new Error("this operation does not run the program");
            // Marked secret inside the program so the engine encrypts them in state.
            return this.options.program({
                ...spec,
                seedKubeconfig: pulumi.secret(spec.seedKubeconfig),
                userKubeconfig: pulumi.secret(spec.userKubeconfig),
            });
        };
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: clusterId, projectName: PROJECT, program },
            {
                workDir,
                envVars: this.envVars(),
                pulumiCommand: await this.command(),
                secretsProvider: this.options.secretsProvider,
                projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: this.backendUrl } },
            },
        );
        // The engine then refuses any Kubernetes resource without an explicit provider, instead of
        // silently applying it to whatever cluster the ambient kubeconfig points at. Not secret.
        await stack.setConfig(DISABLE_DEFAULT_PROVIDERS.key, { value: DISABLE_DEFAULT_PROVIDERS.value }, true);
        return stack;
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
            const stack = await LocalWorkspace.selectStack(
                { stackName: clusterId, projectName: PROJECT, program: async () => ({}) },
                {
                    workDir: this.workDir(clusterId),
                    envVars: this.envVars(),
                    pulumiCommand: await this.command(),
                    secretsProvider: this.options.secretsProvider,
                },
            );
            return stack.outputs();
        });
    }

    /** Whether the backend holds a stack named `clusterId` (`pulumi stack ls`, read-only), asked from `workDir`. */
    private async stackExists(clusterId: string, workDir: string): Promise<boolean> {
        const workspace = await LocalWorkspace.create({
            workDir,
            envVars: this.envVars(),
            pulumiCommand: await this.command(),
            secretsProvider: this.options.secretsProvider,
            projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: this.backendUrl } },
        });
        const stacks = await workspace.listStacks();
        return stacks.some((s) => s.name === clusterId || s.name.endsWith(`/${clusterId}`));
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
            mkdirSync(join(this.options.dataDir, "tmp"), { recursive: true, mode: 0o700 });
            const scratch = mkdtempSync(join(this.options.dataDir, "tmp", "preview-"));
            try {
                const exists = await this.stackExists(request.clusterId, scratch);
                const stack = await this.stack(
                    request.clusterId,
                    request.spec,
                    exists ? this.workDir(request.clusterId) : scratch,
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
            rmSync(this.workDir(request.clusterId), { recursive: true, force: true });
            return { changeSummary: collector.changeSummary };
        });
    }

    /** Selects or creates a project stack with the project program over `spec` (no secrets in it). */
    private async projectStack(name: string, spec: ProjectSpec): Promise<Stack> {
        const run = this.options.projectProgram ?? (await import("../../programs/project")).projectProgram;
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: name, projectName: PROJECT, program: () => run(spec) },
            {
                workDir: this.workDir(name),
                envVars: this.envVars(),
                pulumiCommand: await this.command(),
                secretsProvider: this.options.secretsProvider,
                projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: this.backendUrl } },
            },
        );
        for (const setting of [DISABLE_DEFAULT_PROVIDERS, DISABLE_DEFAULT_GRAFANA_PROVIDER])
            await stack.setConfig(setting.key, { value: setting.value }, true);
        return stack;
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
            rmSync(this.workDir(request.stack), { recursive: true, force: true });
            return { changeSummary: collector.changeSummary };
        });
    }

    /** `pulumi cancel`: clears the lock a crashed update left on a DIY backend. */
    async unlock(clusterId: string): Promise<void> {
        let stack: Stack;
        try {
            stack = await LocalWorkspace.selectStack(
                { stackName: clusterId, projectName: PROJECT, program: async () => ({}) },
                {
                    workDir: this.workDir(clusterId),
                    envVars: this.envVars(),
                    pulumiCommand: await this.command(),
                    secretsProvider: this.options.secretsProvider,
                },
            );
        } catch (e) {
            if (e instanceof StackNotFoundError) return; // never created: nothing to unlock
            throw classifyEngineError(e);
        }
        // Fails when no update holds the lock, which is the good case.
        await stack.cancel().catch(() => undefined);
    }

    async checkReady(): Promise<ReadyCheck[]> {
        const checks: ReadyCheck[] = [];
        const cli = await pulumiVersion(this.envVars());
        if (cli.version) this.cliVersion = cli.version;
        checks.push(
            cli.version
                ? { name: "pulumi-cli", ok: true, detail: `pulumi ${cli.version}` }
                : {
                      name: "pulumi-cli",
                      ok: false,
                      detail: cli.code === "ENOENT" ? INSTALL_PULUMI : `\`pulumi version\` failed (${cli.code})`,
                  },
        );
        checks.push(await this.checkBackend(cli.version !== undefined));
        const secrets =
            this.options.secretsProvider ?? this.env.PULUMI_CONFIG_PASSPHRASE ?? this.env.PULUMI_CONFIG_PASSPHRASE_FILE;
        checks.push(
            secrets !== undefined
                ? {
                      name: "secrets",
                      ok: true,
                      detail: this.options.secretsProvider
                          ? `provider ${this.options.secretsProvider.split(":")[0]}`
                          : "passphrase from the environment",
                  }
                : {
                      name: "secrets",
                      ok: false,
                      detail: "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE, or MLA_SECRETS_PROVIDER)",
                  },
        );
        if (this.options.programCheck) checks.push(this.options.programCheck());
        checks.push(...(this.options.extraChecks?.() ?? []));
        return checks;
    }

    /**
     * Whether the seed stack cluster stacks reference (`StackReference(spec.seedStack)`) is in this
     * executor's backend and its outputs readable: `pulumi stack output --json` (secrets stay
     * hidden) from a scratch workspace of the same project, removed afterwards.
     */
    async checkSeed(seedStack: string): Promise<ReadyCheck> {
        const name = `seed ${seedStack}`;
        mkdirSync(join(this.options.dataDir, "tmp"), { recursive: true, mode: 0o700 });
        const scratch = mkdtempSync(join(this.options.dataDir, "tmp", "seed-"));
        try {
            // Writes the project file, so a bare stack name resolves in this project.
            await LocalWorkspace.create({
                workDir: scratch,
                envVars: this.envVars(),
                pulumiCommand: await this.command(),
                projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: this.backendUrl } },
            });
            const result = (await runIsolated("pulumi")(
                ["stack", "output", "--json", "--stack", seedStack],
                scratch,
                this.envVars(),
            )) as { stdout: string };
            const outputs = Object.keys(JSON.parse(result.stdout || "{}") as Record<string, unknown>);
            return { name, ok: true, detail: `readable in ${this.backendUrl} (${outputs.length} outputs)` };
        } catch (e) {
            const error = classifyEngineError(e);
            return error.code === "stack-not-found"
                ? {
                      name,
                      ok: false,
                      detail: `no stack ${seedStack} in ${this.backendUrl}: create the seed with the service's backend (PULUMI_BACKEND_URL=${this.backendUrl} pulumi up), or point MLA_BACKEND_URL at the seed's`,
                  }
                : { name, ok: false, detail: `not readable in ${this.backendUrl}: ${error.message.split("\n")[0]}` };
        } finally {
            rmSync(scratch, { recursive: true, force: true });
        }
    }

    private async checkBackend(cliPresent: boolean): Promise<ReadyCheck> {
        if (this.backendUrl.startsWith("file://")) {
            const dir = fileURLToPath(this.backendUrl);
            try {
                mkdirSync(dir, { recursive: true, mode: 0o700 });
                accessSync(dir, constants.W_OK);
                return { name: "backend", ok: true, detail: `file backend ${dir}` };
            } catch (e) {
                return {
                    name: "backend",
                    ok: false,
                    detail: `cannot write the file backend ${dir} (${(e as NodeJS.ErrnoException).code})`,
                };
            }
        }
        const scheme = this.backendUrl.split(":")[0];
        if (!cliPresent)
            return { name: "backend", ok: false, detail: `${scheme} backend not checked: it needs the Pulumi CLI` };
        return new Promise((resolve) =>
            execFile("pulumi", ["whoami", "--non-interactive"], { env: this.envVars(), timeout: 15_000 }, (err) =>
                resolve(
                    err
                        ? {
                              name: "backend",
                              ok: false,
                              detail: `${scheme} backend not reachable (pulumi whoami failed)`,
                          }
                        : { name: "backend", ok: true, detail: `${scheme} backend reachable` },
                ),
            ),
        );
    }
}
