/**
 * Builds the onboarding service's Fastify app from injected dependencies. `main.ts` supplies
 * them from the environment; tests supply an in-memory executor and a temp data dir.
 */
import { NEVER_ECHO_KEYWORD, PROBLEM_KEYWORD } from "../../spec/schema-problems";
import { existsSync, readdirSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { AccessLog } from "./access-log";
import { authHook } from "./auth";
import { INPUT_LIMITS } from "../input/bounded-input";
import { boundedJsonParser } from "./json-body-parser";
import { engineGate } from "./engine-gate";
import { schemaErrorFormatter } from "./schema-errors";
import { Readiness, seedChecks, seedStacksInUse } from "../operations/engine-readiness";
import { ClusterService } from "../operations/cluster-service";
import { HttpError, httpErrorFor } from "./errors";
import { DomainError } from "../operations/domain-errors";
import type { Executor } from "../../executors/executor";
import type { SeedApiUrls } from "../../spec/cluster-spec";
import { ServiceMetrics } from "../operations/metrics";
import { OperationEvents } from "../operations/operation-events";
import { Registry } from "../store/registry";
import { RETENTION_SWEEP_MS, type RetentionPolicy } from "../store/operation-history";
import { clusterRoutes } from "./routes/cluster-routes";
import { projectRoutes } from "./routes/project-routes";
import { ProjectService } from "../operations/project-service";
import { ProjectStore } from "../store/project-store";
import { operationRoutes } from "./routes/operation-routes";
import { RouteTable } from "./routes/route-table";
import { systemRoutes } from "./routes/system-routes";
import { Scheduler } from "../operations/scheduler";
import { loadOrCreateKey, SpecStore } from "../store/spec-store";
import { dayTwo, type DayTwo, type DayTwoOptions } from "../reconcile/day-two";
import { healthRoutes, healthView } from "./routes/health-routes";

/** Everything the app is built from. */
export interface AppOptions {
    /** Registry, events, specs and (for the file backend) state live here. */
    dataDir: string;
    executor: Executor;
    /** The bearer token every `/v1` route requires. */
    token: string;
    /** A scrape-only token `/metrics` takes besides the API token. Without it, `/metrics` takes the API token only. */
    metricsToken?: string;
    /** Operations running at once. */
    workers: number;
    /** Operations waiting at most before 429. */
    queueLimit: number;
    /**
     * Largest request body in bytes. Defaults to {@link INPUT_LIMITS.bodyLimit} (8 MiB): above every
     * per-field limit, so an oversized field is a 400 naming it, not a bare 413.
     */
    bodyLimit?: number;
    /** How long `/readyz` and the readiness gate reuse a probe, in ms. Defaults to 5000. */
    readyCacheMs?: number;
    /** How long shutdown waits for cancelled operations. Defaults to 30 s. */
    shutdownTimeoutMs?: number;
    /** Default seed kubeconfigs, `<seed>.yaml`. Defaults to `<dataDir>/seeds`. */
    seedKubeconfigDir?: string;
    /**
     * The seeds' API addresses as reachable from the service, by seed stack (`MLA_SEED_API_FILE`,
     * `seed-apis.ts`). A seed not named uses its stack's outputs (in-cluster addresses).
     */
    seedApis?: Readonly<Record<string, SeedApiUrls>>;
    /** Key of the encrypted spec store. Defaults to `<dataDir>/spec.key`. */
    specKeyFile?: string;
    /** pino settings; `stream` captures logs (tests). Defaults to info on stdout. */
    log?: { level?: string; stream?: NodeJS.WritableStream };
    /** Also export process metrics (CPU, memory). Defaults to false. */
    processMetrics?: boolean;
    /** Reported in the OpenAPI document. */
    version?: string;
    /** How much operation history the registry keeps. Defaults to `DEFAULT_RETENTION` (`operation-history.ts`). */
    retention?: RetentionPolicy;
    /** The reconciler and health probes (docs/operations.md); `workers` is the background lane's budget. */
    dayTwo?: DayTwoOptions & { workers?: number };
}

/** The built app and the parts tests and `main.ts` reach into. */
export interface BuiltApp {
    app: FastifyInstance;
    service: ClusterService;
    registry: Registry;
    scheduler: Scheduler;
    routes: RouteTable;
    dayTwo: DayTwo;
    /** The cached readiness probe behind `/readyz` and the gate on mutating routes. */
    readiness: Readiness;
}

/** Log paths that could hold a secret; pino replaces them before anything is written. */
const REDACT = [
    "req.headers.authorization",
    "headers.authorization",
    "body.userKubeconfig",
    "body.seedKubeconfig",
    "body.tenant.alertmanagerConfig",
    "*.userKubeconfig",
    "*.seedKubeconfig",
    "*.alertmanagerConfig",
];

/**
 * The service's logging, as Fastify options: pino at `log.level` (info by default) with every
 * path of {@link REDACT} redacted, and one access-log line per request, at its end
 * (`access-log.ts`). `bench:service`'s floor logs with the same options.
 */
export function serviceLogging(log: AppOptions["log"]) {
    return {
        logger: {
            level: log?.level ?? "info",
            redact: { paths: REDACT, censor: "[redacted]" },
            ...(log?.stream ? { stream: log.stream } : {}),
        },
        logController: new AccessLog(),
    };
}

function errorHandler(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
        const known = error instanceof DomainError ? httpErrorFor(error) : error;
        if (known instanceof HttpError) {
            return reply.code(known.statusCode).headers(known.headers).send({ error: known.message });
        }
        const status = error.statusCode ?? 500;
        if (status >= 400 && status < 500) {
            // JSON.parse messages quote the input, which may be a kubeconfig: never pass them on.
            const message =
                error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError
                    ? "request body is not valid JSON"
                    : error.message;
            return reply.code(status).send({ error: message });
        }
        request.log.error({ err: { type: error.name, code: error.code, stack: error.stack } }, "request failed");
        return reply.code(500).send({ error: "internal error; see the service log" });
    });
    app.setNotFoundHandler((request, reply) =>
        reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` }),
    );
}

/** Builds the app; call `app.listen`, and `app.close()` for a graceful shutdown. */
export async function buildApp(opts: AppOptions): Promise<BuiltApp> {
    const app = Fastify({
        bodyLimit: opts.bodyLimit ?? INPUT_LIMITS.bodyLimit,
        ...serviceLogging(opts.log),
        // Reject instead of silently dropping unknown fields or coercing types.
        // The spec's schemas carry their messages in an annotation keyword, which Ajv must know.
        ajv: {
            customOptions: {
                removeAdditional: false,
                coerceTypes: false,
                allErrors: true,
                keywords: [PROBLEM_KEYWORD, NEVER_ECHO_KEYWORD],
            },
        },
        schemaErrorFormatter,
        forceCloseConnections: true,
        return503OnClosing: true,
    });
    const metrics = new ServiceMetrics({ processMetrics: opts.processMetrics });
    const registry = Registry.open(opts.dataDir, { retention: opts.retention });
    const events = new OperationEvents(opts.dataDir, registry);
    const specs = new SpecStore(
        registry,
        loadOrCreateKey(opts.specKeyFile ?? join(opts.dataDir, "spec.key")),
        (seed) => opts.seedApis?.[seed] ?? {},
    );
    const scheduler = new Scheduler({
        workers: opts.workers,
        queueLimit: opts.queueLimit,
        backgroundWorkers: opts.dayTwo?.workers,
        onChange: (queued, running) => {
            metrics.queueDepth.set(queued);
            metrics.running.set(running);
        },
    });
    const projectStore = new ProjectStore(opts.dataDir);
    const projects = new ProjectService({
        registry,
        events,
        scheduler,
        metrics,
        executor: opts.executor,
        log: app.log,
        store: projectStore,
        seedApis: opts.seedApis,
    });
    const service = new ClusterService({
        registry,
        events,
        specs,
        scheduler,
        metrics,
        executor: opts.executor,
        log: app.log,
        seedKubeconfigDir: opts.seedKubeconfigDir ?? join(opts.dataDir, "seeds"),
        seedApis: opts.seedApis,
        projects,
    });
    const day2 = dayTwo(
        {
            dataDir: opts.dataDir,
            registry,
            specs,
            scheduler,
            executor: opts.executor,
            service,
            events,
            metrics,
            log: app.log,
        },
        opts.dayTwo,
    );
    for (const op of registry.interrupted) {
        app.log.warn(
            { operationId: op.id, clusterId: op.clusterId, kind: op.kind },
            "operation interrupted by a restart",
        );
        // The process that ran it died before writing the final event: its stream ends with this one.
        const last = events.list(op.id).at(-1);
        if (last?.type !== "state" || last.data?.state !== "interrupted") {
            events.append(op.id, {
                type: "state",
                message: `${op.kind} interrupted: the service stopped while it was ${op.startedAt ? "running" : "queued"}`,
                data: { state: "interrupted" },
            });
        }
    }

    // After routing: the hook sees the matched route's declared `auth`, never the raw URL.
    app.addHook("onRequest", authHook(opts.token, opts.metricsToken));
    // Every route goes through the route table, so the security suite, which derives its targets
    // from the table, cannot miss one (Fastify's automatic HEAD routes copy the GET's config).
    app.addHook("onRoute", (route) => {
        const auth = route.config?.auth;
        if (typeof auth !== "boolean" && auth !== "metrics")
            throw new Error(`route ${String(route.method)} ${route.url} was registered outside the route table`);
    });
    errorHandler(app);
    boundedJsonParser(app);
    const seedKubeconfigDir = opts.seedKubeconfigDir ?? join(opts.dataDir, "seeds");
    const readiness = new Readiness({
        probe: async () => [...(await opts.executor.checkReady()), registry.checkWritable()],
        seeds: () =>
            seedChecks(
                opts.executor,
                seedStacksInUse(
                    registry.clusters().map((c) => c.seed),
                    existsSync(seedKubeconfigDir) ? readdirSync(seedKubeconfigDir) : [],
                ),
            ),
        ttlMs: opts.readyCacheMs,
    });
    // After validation, so a per-request decision (DELETE without the engine) sees checked params.
    app.addHook("preHandler", engineGate(readiness));

    const routes = new RouteTable();
    const streams = new Set<ServerResponse>();
    const reconcileView = (id: string) => {
        const record = day2.reconciler.record(id);
        return record ? { ...record, policy: day2.reconciler.policyOf(id) } : undefined;
    };
    clusterRoutes(app, routes, service, (c) => healthView(day2.health.summary(c), reconcileView(c.id)));
    healthRoutes(app, routes, { service, health: day2.health, reconcile: reconcileView });
    operationRoutes(app, routes, { service, events, streams });
    projectRoutes(app, routes, projects, metrics);
    systemRoutes(app, routes, { readiness, metrics, version: opts.version ?? "dev" });

    // Graceful shutdown: refuse new operations, SIGINT running ones, wait, then end SSE streams
    // (hijacked responses would otherwise hold `close` open).
    app.addHook("onReady", async () => day2.start());
    app.addHook("preClose", async () => {
        day2.stop();
        const stuck = await scheduler.shutdown(opts.shutdownTimeoutMs ?? 30_000);
        if (stuck.length > 0)
            app.log.warn(
                { operations: stuck },
                "operations still running at the shutdown deadline; they will be marked interrupted on the next start",
            );
        for (const res of streams) res.end();
    });
    // Operations of removed clusters pass their retention period with no request to trigger a trim.
    const sweep = setInterval(() => registry.trimUnregistered(), RETENTION_SWEEP_MS);
    sweep.unref();
    app.addHook("onClose", async () => {
        clearInterval(sweep);
        // A project record written off the event loop is on disk before the service says it stopped.
        await projectStore.settled();
        registry.close();
    });
    return { app, service, registry, scheduler, routes, dayTwo: day2, readiness };
}
