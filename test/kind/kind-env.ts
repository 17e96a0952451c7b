/**
 * The kind suite's environment: which kubeconfigs, project copy and stacks `run.sh` set up, and
 * thin wrappers around the `pulumi` and `kubectl` CLIs it drives. Used only by `checks.kind.ts`
 * (opt-in; never part of `npm test`).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** What `run.sh` exports for the checks. */
export interface KindEnv {
    /** Kubeconfig of the seed kind cluster (host-reachable API server). */
    seedKubeconfig: string;
    /** Kubeconfig of the user kind cluster. */
    userKubeconfig: string;
    /** The scratch copy of the project that holds `Pulumi.<stack>.yaml` for both stacks. */
    projectDir: string;
    seedStack: string;
    clusterStack: string;
    /** The cluster stack's config file (the checks read the tenant section from it). */
    clusterConfigFile: string;
}

const VARS = {
    seedKubeconfig: "MLA_KIND_SEED_KUBECONFIG",
    userKubeconfig: "MLA_KIND_USER_KUBECONFIG",
    projectDir: "MLA_KIND_PROJECT_DIR",
    seedStack: "MLA_KIND_SEED_STACK",
    clusterStack: "MLA_KIND_CLUSTER_STACK",
    clusterConfigFile: "MLA_KIND_CLUSTER_CONFIG",
} as const satisfies Record<keyof KindEnv, string>;

/** Reads the environment; throws one error naming every missing or unusable variable. */
export function kindEnv(env: NodeJS.ProcessEnv = process.env): KindEnv {
    const problems: string[] = [];
    const out: Partial<KindEnv> = {};
    for (const [key, name] of Object.entries(VARS) as [keyof KindEnv, string][]) {
        const value = env[name];
        if (value === undefined || value === "") problems.push(`${name} is not set`);
        else out[key] = value;
    }
    for (const key of ["seedKubeconfig", "userKubeconfig", "clusterConfigFile"] as const) {
        const file = out[key];
        if (file !== undefined && !fs.existsSync(file)) problems.push(`${VARS[key]} names a missing file: ${file}`);
    }
    if (out.projectDir !== undefined && !fs.existsSync(path.join(out.projectDir, "Pulumi.yaml"))) {
        problems.push(`${VARS.projectDir} has no Pulumi.yaml: ${out.projectDir}`);
    }
    if (problems.length > 0) {
        throw new Error(
            `the kind suite runs from test/kind/run.sh, which sets its environment: ${problems.join("; ")}`,
        );
    }
    return out as KindEnv;
}

/** Runs a command; resolves with stdout, rejects with the command and the tail of stderr. */
export function run(command: string, args: string[], opts: { cwd?: string; timeoutMs: number }): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(
            command,
            args,
            { cwd: opts.cwd, timeout: opts.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => {
                if (error) {
                    // Only the tail: Pulumi prints whole update logs on failure.
                    const tail = `${stderr}${stdout}`.trim().split("\n").slice(-25).join("\n");
                    reject(
                        new Error(`${command} ${args.join(" ")} failed (${error.message.split("\n")[0]}):\n${tail}`),
                    );
                } else resolve(stdout);
            },
        );
    });
}

/** A Pulumi CLI call against one stack of the project copy (backend and passphrase come from the environment). */
export function pulumi(env: KindEnv, stack: string, args: string[], timeoutMs = 20 * 60_000): Promise<string> {
    return run("pulumi", [...args, "--stack", stack, "--non-interactive"], { cwd: env.projectDir, timeoutMs });
}

/** `pulumi up` without a preview; Pulumi waits for Deployments to roll out before it returns. */
export async function pulumiUp(env: KindEnv, stack: string): Promise<void> {
    await pulumi(env, stack, ["up", "--yes", "--skip-preview"]);
}

/** The stack's outputs (secret ones come back as "[secret]"). */
export async function stackOutputs(env: KindEnv, stack: string): Promise<Record<string, unknown>> {
    return JSON.parse(await pulumi(env, stack, ["stack", "output", "--json"], 60_000)) as Record<string, unknown>;
}

/** A string output; throws naming the stack and key when it is missing. */
export function stringOutput(outputs: Record<string, unknown>, key: string): string {
    const value = outputs[key];
    if (typeof value !== "string" || value === "")
        throw new Error(`stack output ${key} is missing or not a string: ${JSON.stringify(value)}`);
    return value;
}

/** A kubectl call with an explicit kubeconfig (never the developer's current context). */
export function kubectl(kubeconfig: string, args: string[], timeoutMs = 60_000): Promise<string> {
    return run("kubectl", ["--kubeconfig", kubeconfig, ...args], { timeoutMs });
}

/** Whether a namespace exists (a Terminating namespace still exists). */
export async function namespaceExists(kubeconfig: string, name: string): Promise<boolean> {
    const out = await kubectl(kubeconfig, ["get", "namespace", name, "--ignore-not-found", "-o", "name"]);
    return out.trim() !== "";
}

/** The decoded data of a Secret. */
export async function secretData(kubeconfig: string, namespace: string, name: string): Promise<Record<string, string>> {
    const secret = JSON.parse(await kubectl(kubeconfig, ["-n", namespace, "get", "secret", name, "-o", "json"])) as {
        data?: Record<string, string>;
    };
    return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
    );
}
