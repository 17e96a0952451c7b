/**
 * The Automation API executor's readiness checks, as `/readyz` lists them: the Pulumi CLI, the
 * backend, the secrets provider, and whether a seed stack is readable in the same backend.
 */
import { accessSync, constants, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import type { ReadyCheck } from "../executor";
import { runIsolated } from "./engine-command";
import { classifyEngineError, INSTALL_PULUMI } from "./engine-errors";
import { type CliVersion, pulumiWhoami } from "./pulumi-cli";
import { projectSettings } from "./stack-settings";
import type { StackWorkspaces } from "./stack-workspaces";

/** Whether `pulumi version` answered, or what to install. */
export function cliCheck(cli: CliVersion): ReadyCheck {
    return cli.version
        ? { name: "pulumi-cli", ok: true, detail: `pulumi ${cli.version}` }
        : {
              name: "pulumi-cli",
              ok: false,
              detail: cli.code === "ENOENT" ? INSTALL_PULUMI : `\`pulumi version\` failed (${cli.code})`,
          };
}

/** What {@link backendCheck} looks at. */
export interface BackendCheckInput {
    backendUrl: string;
    /** Whether the CLI answered; a remote backend is asked through it. */
    cliPresent: boolean;
    /** The environment `pulumi whoami` runs with. */
    env: NodeJS.ProcessEnv;
}

/** A file backend must be writable; any other must answer `pulumi whoami`. */
export async function backendCheck({ backendUrl, cliPresent, env }: BackendCheckInput): Promise<ReadyCheck> {
    if (backendUrl.startsWith("file://")) {
        const dir = fileURLToPath(backendUrl);
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
    const scheme = backendUrl.split(":")[0];
    if (!cliPresent)
        return { name: "backend", ok: false, detail: `${scheme} backend not checked: it needs the Pulumi CLI` };
    return (await pulumiWhoami(env))
        ? { name: "backend", ok: true, detail: `${scheme} backend reachable` }
        : { name: "backend", ok: false, detail: `${scheme} backend not reachable (pulumi whoami failed)` };
}

/** A secrets provider, or a passphrase in the environment. */
export function secretsCheck(secretsProvider: string | undefined, env: NodeJS.ProcessEnv): ReadyCheck {
    const secrets = secretsProvider ?? env.PULUMI_CONFIG_PASSPHRASE ?? env.PULUMI_CONFIG_PASSPHRASE_FILE;
    return secrets !== undefined
        ? {
              name: "secrets",
              ok: true,
              detail: secretsProvider ? `provider ${secretsProvider.split(":")[0]}` : "passphrase from the environment",
          }
        : {
              name: "secrets",
              ok: false,
              detail: "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE, or MLA_SECRETS_PROVIDER)",
          };
}

/**
 * Whether the seed stack cluster stacks reference (`StackReference(spec.seedStack)`) is in the
 * executor's backend and its outputs readable: `pulumi stack output --json` (secrets stay hidden)
 * from a scratch workspace of the same project, removed afterwards.
 */
export async function seedCheck(workspaces: StackWorkspaces, seedStack: string): Promise<ReadyCheck> {
    const name = `seed ${seedStack}`;
    const backendUrl = workspaces.backendUrl;
    const scratch = workspaces.scratchDir("seed-");
    try {
        // Writes the project file, so a bare stack name resolves in this project.
        await LocalWorkspace.create({
            workDir: scratch,
            envVars: workspaces.envVars(),
            pulumiCommand: await workspaces.command(),
            projectSettings: projectSettings(backendUrl),
        });
        const result = (await runIsolated("pulumi")(
            ["stack", "output", "--json", "--stack", seedStack],
            scratch,
            workspaces.envVars(),
        )) as { stdout: string };
        const outputs = Object.keys(JSON.parse(result.stdout || "{}") as Record<string, unknown>);
        return { name, ok: true, detail: `readable in ${backendUrl} (${outputs.length} outputs)` };
    } catch (e) {
        const error = classifyEngineError(e);
        return error.code === "stack-not-found"
            ? {
                  name,
                  ok: false,
                  detail: `no stack ${seedStack} in ${backendUrl}: create the seed with the service's backend (PULUMI_BACKEND_URL=${backendUrl} pulumi up), or point MLA_BACKEND_URL at the seed's`,
              }
            : { name, ok: false, detail: `not readable in ${backendUrl}: ${error.message.split("\n")[0]}` };
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
}
