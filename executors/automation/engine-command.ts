/**
 * The `pulumi` command the Automation API runs, with exactly the environment the workspace hands
 * it. The SDK's own command starts the CLI with the service's whole environment merged in (execa
 * extends `process.env`), so the API token and every other `MLA_*` setting would reach the CLI,
 * the language host and every provider plugin. This one starts it with the workspace's `envVars`
 * only, which the executor builds from an allow-list (`engine-env.ts`).
 */
import { spawn } from "node:child_process";
import * as automation from "@pulumi/pulumi/automation";

/** The runtime parts of the SDK this needs that its type declarations mark internal. */
interface SdkInternals {
    CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => unknown;
    createCommandError(result: unknown): Error;
}
const sdk = automation as unknown as SdkInternals;

/** The SemVer class the SDK itself compares versions with. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver = require(require.resolve("semver", { paths: [require.resolve("@pulumi/pulumi")] })) as {
    parse(v: string): unknown;
};

/** Runs `pulumi`; what the SDK calls for every CLI invocation (its signature, hence six parameters). */
/* eslint-disable max-params */
type Run = (
    args: string[],
    cwd: string,
    env: { [key: string]: string },
    onOutput?: (data: string) => void,
    onError?: (data: string) => void,
    signal?: AbortSignal,
) => Promise<unknown>;
/* eslint-enable max-params */

/** What `runIsolated` started, for tests. */
export interface SpawnRecord {
    args: string[];
    env: Record<string, string>;
}

/**
 * How long an aborted engine gets to stop after SIGINT before SIGKILL. Pulumi's graceful cancel
 * waits for the resource operations in flight (the Kubernetes provider awaits a rollout for up to
 * 10 minutes), so the grace is that long; an engine that hangs past it would otherwise hold its
 * stack, and the operation or drift check waiting on it, for ever.
 */
export const ENGINE_KILL_GRACE_MS = 10 * 60_000;

/**
 * Runs `command args` in `cwd` with `env` and nothing else, streaming output, SIGINT on abort
 * (SIGKILL `killAfterMs` later if it is still running), and failing with the SDK's own error
 * classes (so `StackNotFoundError` etc. still work).
 */
export function runIsolated(
    command: string,
    record?: (r: SpawnRecord) => void,
    killAfterMs = ENGINE_KILL_GRACE_MS,
): Run {
    // eslint-disable-next-line max-params
    return (args, cwd, extra, onOutput, onError, signal) => {
        if (!args.includes("--non-interactive")) args.push("--non-interactive");
        const env = { ...extra, PULUMI_AUTOMATION_API: "true" };
        record?.({ args: [...args], env: { ...env } });
        return new Promise((resolve, reject) => {
            const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                onOutput?.(chunk.toString());
            });
            child.stderr.on("data", (chunk: Buffer) => {
                stderr += chunk.toString();
                onError?.(chunk.toString());
            });
            let kill: NodeJS.Timeout | undefined;
            const abort = () => {
                child.kill("SIGINT");
                kill = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
                kill.unref();
            };
            if (signal?.aborted) abort();
            else signal?.addEventListener("abort", abort, { once: true });
            child.on("error", (err) => {
                clearTimeout(kill);
                signal?.removeEventListener("abort", abort);
                reject(
                    sdk.createCommandError(new sdk.CommandResult("", `${command} ${args[0]}: ${err.message}`, -2, err)),
                );
            });
            child.on("close", (code) => {
                clearTimeout(kill);
                signal?.removeEventListener("abort", abort);
                const result = new sdk.CommandResult(stdout, stderr, code ?? -2);
                if (code === 0) resolve(result);
                else reject(sdk.createCommandError(result));
            });
        });
    };
}

/**
 * A `PulumiCommand` for `LocalWorkspace` options (`pulumiCommand`) that runs `command` (on PATH
 * from the given env) through {@link runIsolated}. `version` is what `pulumi version` printed.
 */
export function isolatedPulumiCommand(
    version: string,
    opts: { command?: string; record?: (r: SpawnRecord) => void } = {},
): automation.PulumiCommand {
    const command = opts.command ?? "pulumi";
    const instance = Object.create(automation.PulumiCommand.prototype) as {
        command: string;
        version: unknown;
        run: Run;
    };
    instance.command = command;
    instance.version = semver.parse(version.replace(/^v/, ""));
    instance.run = runIsolated(command, opts.record);
    return instance as unknown as automation.PulumiCommand;
}
