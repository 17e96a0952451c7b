/**
 * `mla serve`: reads the environment, builds the app, listens, and shuts down gracefully on
 * SIGINT/SIGTERM (stop accepting, SIGINT running operations, wait up to the timeout).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveApiToken, resolveMetricsToken } from "./store/api-token";
import { buildApp } from "./http/app";
import { clusterProgramCheck, inlineClusterProgram } from "../executors/cluster-program";
import { childEnvironment } from "../executors/automation/engine-env";
import { installPlugins, pluginCheck, pluginDir, requiredPlugins } from "../executors/automation/engine-plugins";
import { loadServiceConfig } from "./env";
import type { Executor } from "../executors/executor";
import { AutomationExecutor } from "../executors/automation/executor-automation";
import { MemoryExecutor } from "../executors/memory/executor-memory";
import { operatorExecutorFromEnv } from "./operator-from-env";
import { readSeedApis } from "./seed-apis";

/** Options of {@link serve} that are not environment settings. */
export interface ServeOptions {
    /**
     * Install the provider plugins the programs need (at the versions in node_modules, i.e. the
     * lockfile's) with `pulumi plugin install`, then return without serving.
     */
    installPlugins?: boolean;
}

/** This checkout: its package.json names the provider SDKs, node_modules holds their versions. */
const PROJECT_ROOT = join(__dirname, "..");

/**
 * Removes the service's own settings from `process.env` once they are read, so no child process
 * started outside the executor (which builds its own allow-listed environment) inherits them.
 */
function scrubServiceSettings(): void {
    for (const name of Object.keys(process.env)) if (name.startsWith("MLA_")) delete process.env[name];
}

/** Starts the service; resolves once it has shut down. */
export async function serve(sourceEnv: NodeJS.ProcessEnv = process.env, opts: ServeOptions = {}): Promise<void> {
    // A copy: `process.env` is scrubbed below, and `sourceEnv` is usually `process.env` itself.
    const source: NodeJS.ProcessEnv = { ...sourceEnv };
    const config = loadServiceConfig(source);
    const plugins = requiredPlugins(PROJECT_ROOT);
    const pluginsDir = pluginDir(childEnvironment(source));
    if (opts.installPlugins) {
        const installed = await installPlugins(plugins, {
            env: childEnvironment(source, { PULUMI_SKIP_UPDATE_CHECK: "true" }),
            dir: pluginsDir,
            log: (line) => console.log(line),
        });
        console.log(
            `${installed.length} plugin(s) installed, ${plugins.length - installed.length} already present in ${pluginsDir}`,
        );
        return;
    }
    scrubServiceSettings();
    const { env, dataDir } = config;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const token = resolveApiToken(env, dataDir);
    const metricsToken = resolveMetricsToken(env, dataDir, token);
    const executor: Executor =
        env.MLA_EXECUTOR === "memory"
            ? new MemoryExecutor({ delayMs: 500, keepCalls: false })
            : env.MLA_EXECUTOR === "operator"
              ? operatorExecutorFromEnv(env, source)
              : new AutomationExecutor({
                    dataDir,
                    backendUrl: env.MLA_BACKEND_URL,
                    secretsProvider: env.MLA_SECRETS_PROVIDER,
                    program: inlineClusterProgram,
                    programCheck: clusterProgramCheck,
                    extraChecks: () => [pluginCheck(plugins, pluginsDir)],
                    env: source,
                });
    const { app } = await buildApp({
        dataDir,
        executor,
        token: token.token,
        metricsToken: metricsToken.token,
        workers: config.workers,
        queueLimit: config.queueLimit,
        bodyLimit: config.bodyLimit,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        seedKubeconfigDir: env.MLA_SEED_KUBECONFIG_DIR ?? join(dataDir, "seeds"),
        seedApis: env.MLA_SEED_API_FILE ? readSeedApis(env.MLA_SEED_API_FILE) : undefined,
        specKeyFile: env.MLA_SPEC_KEY_FILE,
        log: { level: env.MLA_LOG_LEVEL },
        processMetrics: true,
        retention: config.retention,
        dayTwo: { workers: config.reconcile.workers, reconcile: config.reconcile, health: config.health },
        version: (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version,
    });
    await app.listen({ host: config.host, port: config.port });
    // The token's source (a variable name or file path) is logged, never the token.
    app.log.info(
        {
            tokenSource: token.source,
            metricsTokenSource: metricsToken.source,
            dataDir,
            executor: executor.name,
            workers: config.workers,
        },
        "mla serve ready; /v1 needs the bearer token from tokenSource, /metrics that or the one from metricsTokenSource",
    );

    await new Promise<void>((resolveStop) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
            if (stopping) return;
            stopping = true;
            app.log.info({ signal }, "shutting down: no new operations, cancelling running ones");
            app.close().then(
                () => resolveStop(),
                (e: unknown) => {
                    app.log.error({ err: e }, "shutdown failed");
                    resolveStop();
                },
            );
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
    });
}
