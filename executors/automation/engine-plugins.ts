/**
 * The provider plugins the programs need, at the versions the lockfile installed, and whether
 * the engine has them. Without them the first `up` downloads them mid-operation, which fails on
 * an air-gapped host after the stack is already locked; `mla serve --install-plugins` installs
 * them ahead, and `/readyz` reports any that are missing.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ReadyCheck } from "../executor";

/** One resource provider plugin. */
export interface RequiredPlugin {
    /** The plugin name: `kubernetes`, `grafana`. */
    name: string;
    /** The exact version the SDK package was installed at (the lockfile's). */
    version: string;
    /** Where the plugin is downloaded from when not Pulumi's default (`github://api.github.com/pulumiverse`). */
    server?: string;
    /** The npm package it came from. */
    packageName: string;
}

interface PulumiPackageJson {
    name?: string;
    version?: string;
    dependencies?: Record<string, string>;
    pulumi?: { resource?: boolean; name?: string; version?: string; server?: string };
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as PulumiPackageJson;

/**
 * Every resource plugin a dependency of the project at `rootDir` declares (`"pulumi": { "resource":
 * true }` in its installed package.json), at the installed version, sorted by name.
 */
export function requiredPlugins(rootDir: string): RequiredPlugin[] {
    const deps = Object.keys(readJson(join(rootDir, "package.json")).dependencies ?? {});
    const plugins: RequiredPlugin[] = [];
    for (const dep of deps) {
        const path = join(rootDir, "node_modules", dep, "package.json");
        if (!existsSync(path)) continue;
        const pkg = readJson(path);
        if (pkg.pulumi?.resource !== true) continue;
        const version = pkg.pulumi.version ?? pkg.version;
        if (!version) continue;
        plugins.push({
            name: pkg.pulumi.name ?? dep.replace(/^@[^/]+\//, ""),
            version: version.replace(/^v/, ""),
            ...(pkg.pulumi.server ? { server: pkg.pulumi.server } : {}),
            packageName: dep,
        });
    }
    return plugins.sort((a, b) => a.name.localeCompare(b.name));
}

/** `$PULUMI_HOME/plugins`, else `~/.pulumi/plugins`, as the engine resolves it. */
export function pluginDir(env: NodeJS.ProcessEnv): string {
    return join(env.PULUMI_HOME ?? join(env.HOME ?? homedir(), ".pulumi"), "plugins");
}

/**
 * Whether `plugin` is installed completely: the engine's directory `resource-<name>-v<version>`
 * with its binary, and no `.partial` marker of an interrupted download.
 */
export function pluginInstalled(plugin: RequiredPlugin, dir: string): boolean {
    const base = join(dir, `resource-${plugin.name}-v${plugin.version}`);
    return existsSync(join(base, `pulumi-resource-${plugin.name}`)) && !existsSync(`${base}.partial`);
}

/** The readiness check: every required plugin present, or exactly which are missing and how to fix it. */
export function pluginCheck(plugins: readonly RequiredPlugin[], dir: string): ReadyCheck {
    const missing = plugins.filter((p) => !pluginInstalled(p, dir));
    if (missing.length === 0) {
        return {
            name: "plugins",
            ok: true,
            detail: `${plugins.map((p) => `${p.name} v${p.version}`).join(", ")} in ${dir}`,
        };
    }
    return {
        name: "plugins",
        ok: false,
        detail: `missing in ${dir}: ${missing.map((p) => `${p.name} v${p.version}`).join(", ")}; run \`mla serve --install-plugins\` (or \`pulumi plugin install resource <name> <version>\` for each)`,
    };
}

/** The `pulumi` argv that installs `plugin`. */
export function installArgs(plugin: RequiredPlugin): string[] {
    return [
        "plugin",
        "install",
        "resource",
        plugin.name,
        plugin.version,
        ...(plugin.server ? ["--server", plugin.server] : []),
        "--non-interactive",
    ];
}

/**
 * Installs every plugin not yet in `dir` with `pulumi plugin install`, one after the other, with
 * exactly `env` as the child's environment. Resolves to the plugins installed; rejects naming
 * the first one that failed.
 */
export async function installPlugins(
    plugins: readonly RequiredPlugin[],
    opts: { env: NodeJS.ProcessEnv; dir: string; log?: (line: string) => void },
): Promise<RequiredPlugin[]> {
    const installed: RequiredPlugin[] = [];
    for (const plugin of plugins) {
        if (pluginInstalled(plugin, opts.dir)) {
            opts.log?.(`plugin ${plugin.name} v${plugin.version} already installed`);
            continue;
        }
        opts.log?.(`installing plugin ${plugin.name} v${plugin.version}`);
        await new Promise<void>((resolve, reject) =>
            execFile("pulumi", installArgs(plugin), { env: opts.env, timeout: 10 * 60_000 }, (err, _stdout, stderr) =>
                err
                    ? reject(
                          new Error(
                              `pulumi plugin install resource ${plugin.name} ${plugin.version} failed: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "the Pulumi CLI is not on PATH" : String(stderr).trim().split("\n").slice(-3).join(" ")}`,
                          ),
                      )
                    : resolve(),
            ),
        );
        installed.push(plugin);
    }
    return installed;
}
