/**
 * Where the Automation API executor's stacks live and how they are opened: one workspace
 * directory per stack under `<dataDir>/workspaces` (local workspaces change their "current stack",
 * so they are never shared between stacks), scratch directories under `<dataDir>/tmp`, and the one
 * `pulumi` every workspace runs, started with the allow-listed environment and nothing inherited.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { LocalWorkspace, type PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { isolatedPulumiCommand, type SpawnRecord } from "./engine-command";
import { childEnvironment } from "./engine-env";
import { classifyEngineError } from "./engine-errors";
import { type CliVersion, pulumiVersion } from "./pulumi-cli";
import { PROJECT, projectSettings } from "./stack-settings";

/** Settings of {@link StackWorkspaces}. */
export interface StackWorkspacesOptions {
    /** Workspaces live in `<dataDir>/workspaces/<stack>`, scratch directories in `<dataDir>/tmp`. */
    dataDir: string;
    /** The backend every workspace uses. */
    backendUrl: string;
    /** The environment child processes are given the allow-listed part of (`engine-env.ts`). */
    env: NodeJS.ProcessEnv;
    /** A secrets provider URL; the passphrase provider when unset. */
    secretsProvider?: string;
    /** Sees every `pulumi` the workspaces start, with its argv and environment (tests). */
    onSpawn?: (record: SpawnRecord) => void;
}

/** A stack to select or create: its name, its inline program and the plain config it gets. */
export interface StackToOpen {
    name: string;
    program: PulumiFn;
    /** The workspace directory. Defaults to the stack's own. */
    workDir?: string;
    /** Set with `--path` after opening: plain values only, as they go on the command line. */
    config: readonly { key: string; value: string }[];
    /** Runs on the selected (or new) stack before anything is set on it; throws to leave it untouched. */
    check?: (stack: Stack) => Promise<void>;
}

/** Opens the executor's stacks. */
export class StackWorkspaces {
    private cliVersion?: string;

    constructor(private readonly options: StackWorkspacesOptions) {}

    get backendUrl(): string {
        return this.options.backendUrl;
    }

    /**
     * The whole environment of every CLI call (and so of the language host and plugins): the
     * allow-listed part of `env`, plus the backend; secrets go here, never on argv.
     */
    envVars(): Record<string, string> {
        return childEnvironment(this.options.env, {
            PULUMI_BACKEND_URL: this.options.backendUrl,
            PULUMI_SKIP_UPDATE_CHECK: "true",
        });
    }

    /** Asks `pulumi version` (with {@link envVars}) and keeps the version when there is one. */
    async probeCli(): Promise<CliVersion> {
        const cli = await pulumiVersion(this.envVars());
        if (cli.version) this.cliVersion = cli.version;
        return cli;
    }

    /**
     * The `pulumi` the workspaces run: started with {@link envVars} and nothing inherited. The
     * version is asked once (`pulumi version`, same environment) and kept.
     */
    async command(): Promise<PulumiCommand> {
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

    /** The stack's own workspace directory, created when missing; never outside `<dataDir>/workspaces`. */
    workDir(stackName: string): string {
        const root = resolve(this.options.dataDir, "workspaces");
        const dir = resolve(root, stackName);
        if (!dir.startsWith(`${root}${sep}`))
            throw new Error(`stack name ${JSON.stringify(stackName)} leaves the workspaces`);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        return dir;
    }

    /** A new, empty scratch directory `<dataDir>/tmp/<prefix>XXXXXX`; the caller removes it. */
    scratchDir(prefix: string): string {
        mkdirSync(join(this.options.dataDir, "tmp"), { recursive: true, mode: 0o700 });
        return mkdtempSync(join(this.options.dataDir, "tmp", prefix));
    }

    /** Selects or creates the stack with its inline program, then sets its plain config. */
    async open(stack: StackToOpen): Promise<Stack> {
        const opened = await LocalWorkspace.createOrSelectStack(
            { stackName: stack.name, projectName: PROJECT, program: stack.program },
            {
                workDir: stack.workDir ?? this.workDir(stack.name),
                envVars: this.envVars(),
                pulumiCommand: await this.command(),
                secretsProvider: this.options.secretsProvider,
                projectSettings: projectSettings(this.options.backendUrl),
            },
        );
        await stack.check?.(opened);
        for (const setting of stack.config) await opened.setConfig(setting.key, { value: setting.value }, true);
        return opened;
    }

    /** Selects an existing stack without a program (outputs, cancel); fails when there is none. */
    async select(stackName: string): Promise<Stack> {
        return LocalWorkspace.selectStack(
            { stackName, projectName: PROJECT, program: async () => ({}) },
            {
                workDir: this.workDir(stackName),
                envVars: this.envVars(),
                pulumiCommand: await this.command(),
                secretsProvider: this.options.secretsProvider,
            },
        );
    }

    /** Whether the backend holds a stack named `stackName` (`pulumi stack ls`, read-only), asked from `workDir`. */
    async exists(stackName: string, workDir: string): Promise<boolean> {
        const workspace = await LocalWorkspace.create({
            workDir,
            envVars: this.envVars(),
            pulumiCommand: await this.command(),
            secretsProvider: this.options.secretsProvider,
            projectSettings: projectSettings(this.options.backendUrl),
        });
        const stacks = await workspace.listStacks();
        return stacks.some((s) => s.name === stackName || s.name.endsWith(`/${stackName}`));
    }
}
