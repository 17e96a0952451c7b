/**
 * `mla serve`: reads the environment, builds the app, listens, and shuts down gracefully on
 * SIGINT/SIGTERM (stop accepting, SIGINT running operations, wait up to the timeout).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { resolveApiToken } from "./api-token";
import { buildApp } from "./app";
import { clusterProgramCheck, inlineClusterProgram } from "./cluster-program";
import { loadServiceConfig } from "./env";
import type { Executor } from "./executor";
import { AutomationExecutor } from "./executor-automation";
import { MemoryExecutor } from "./executor-memory";
import { operatorExecutorFromEnv } from "./executor-operator";

/** Starts the service; resolves once it has shut down. */
export async function serve(source: NodeJS.ProcessEnv = process.env): Promise<void> {
    const config = loadServiceConfig(source);
    const { env, dataDir } = config;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const token = resolveApiToken(env, dataDir);
    const executor: Executor =
        env.MLA_EXECUTOR === "memory"
            ? new MemoryExecutor({ delayMs: 500 })
            : env.MLA_EXECUTOR === "operator"
              ? operatorExecutorFromEnv(env, source)
              : new AutomationExecutor({
                    dataDir,
                    backendUrl: env.MLA_BACKEND_URL,
                    secretsProvider: env.MLA_SECRETS_PROVIDER,
                    program: inlineClusterProgram,
                    programCheck: clusterProgramCheck,
                    env: source,
                });
    const { app } = await buildApp({
        dataDir,
        executor,
        token: token.token,
        workers: config.workers,
        queueLimit: config.queueLimit,
        bodyLimit: config.bodyLimit,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        seedKubeconfigDir: env.MLA_SEED_KUBECONFIG_DIR ?? join(dataDir, "seeds"),
        specKeyFile: env.MLA_SPEC_KEY_FILE,
        log: { level: env.MLA_LOG_LEVEL },
        processMetrics: true,
        dayTwo: { workers: config.reconcile.workers, reconcile: config.reconcile, health: config.health },
        version: (require("../package.json") as { version: string }).version,
    });
    await app.listen({ host: config.host, port: config.port });
    // The token's source (a variable name or file path) is logged, never the token.
    app.log.info({ tokenSource: token.source, dataDir, executor: executor.name, workers: config.workers }, "mla serve ready; /v1 needs the bearer token from tokenSource");

    await new Promise<void>((resolveStop) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
            if (stopping) return;
            stopping = true;
            app.log.info({ signal }, "shutting down: no new operations, cancelling running ones");
            app.close().then(() => resolveStop(), (e: unknown) => {
                app.log.error({ err: e }, "shutdown failed");
                resolveStop();
            });
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
    });
}
