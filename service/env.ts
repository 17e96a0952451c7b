/**
 * The service's environment, checked against a TypeBox schema at boot: one error lists every
 * bad variable. `.env.example` documents each of them.
 */
import { resolve } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { RECONCILE_POLICIES, type ReconcilePolicy } from "../spec/cluster-spec";
import { RETENTION_DEFAULTS, type RetentionPolicy } from "./store/operation-history";
import { INPUT_LIMITS } from "./input/bounded-input";

/**
 * Defaults of the reconciler and the health probes (`service/reconcile/`, `service/health/`): the
 * environment schema below and `buildApp` read them from here.
 */
export const RECONCILE_DEFAULTS = {
    /** Seconds between two drift checks of one cluster: 6 per day per cluster. */
    intervalSeconds: 4 * 3600,
    /** Each wait is the interval ± this percentage, so checks of a fleet spread out. */
    jitterPercent: 20,
    policy: "report",
    /** Drift checks running at once, on top of MLA_WORKERS. */
    workers: 1,
    /**
     * Seconds one drift check (refresh and preview) may take before it is aborted and recorded as
     * an error: a check that never returns would otherwise hold the background lane, and with it
     * every cluster's checks and certificate renewals.
     */
    checkTimeoutSeconds: 1800,
    /** Seconds between two health probes of every cluster. */
    healthIntervalSeconds: 300,
    /** Seconds each health probe request may take. */
    healthTimeoutSeconds: 5,
} as const;

const Int = (description: string, fallback: number) =>
    Type.String({ pattern: "^[1-9][0-9]{0,8}$", default: String(fallback), description });

/** Every variable the service reads. */
export const ServiceEnv = Type.Object({
    MLA_API_TOKEN: Type.Optional(
        Type.String({ minLength: 16, description: "Bearer token for /v1 (at least 16 characters)" }),
    ),
    MLA_API_TOKEN_FILE: Type.Optional(Type.String({ minLength: 1, description: "File holding the bearer token" })),
    MLA_METRICS_TOKEN: Type.Optional(
        Type.String({ minLength: 16, description: "Bearer token for /metrics only (at least 16 characters)" }),
    ),
    MLA_METRICS_TOKEN_FILE: Type.Optional(
        Type.String({ minLength: 1, description: "File holding the /metrics bearer token" }),
    ),
    MLA_LISTEN: Type.String({
        pattern: "^(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
        default: "127.0.0.1:8080",
    }),
    MLA_DATA_DIR: Type.String({ minLength: 1, default: ".mla" }),
    MLA_BACKEND_URL: Type.Optional(
        Type.String({ pattern: "^[a-z0-9]+://", description: "Pulumi backend; default file://<data dir>/state" }),
    ),
    MLA_WORKERS: Int("Operations running at once", 4),
    MLA_QUEUE_SIZE: Int("Operations waiting at most before 429", 100),
    MLA_BODY_LIMIT: Int(
        "Largest request body in bytes; above every per-field limit, so an oversized field is a 400 naming it",
        INPUT_LIMITS.bodyLimit,
    ),
    MLA_SHUTDOWN_TIMEOUT: Int("Seconds shutdown waits for cancelled operations", 30),
    MLA_EXECUTOR: Type.Union([Type.Literal("automation"), Type.Literal("memory"), Type.Literal("operator")], {
        default: "automation",
    }),
    // The Pulumi Kubernetes Operator executor (MLA_EXECUTOR=operator); see executor-operator.ts.
    MLA_OPERATOR_KUBECONFIG: Type.Optional(
        Type.String({
            minLength: 1,
            description: "Kubeconfig of the management cluster; in-cluster ServiceAccount when unset",
        }),
    ),
    MLA_OPERATOR_NAMESPACE: Type.String({ pattern: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", default: "mla-stacks" }),
    MLA_OPERATOR_REPO: Type.Optional(
        Type.String({ minLength: 1, description: "Git URL of this repository, for the Stacks' program" }),
    ),
    MLA_OPERATOR_REF: Type.String({ minLength: 1, default: "main" }),
    MLA_OPERATOR_PROJECT_DIR: Type.Optional(Type.String({ minLength: 1 })),
    MLA_OPERATOR_SERVICE_ACCOUNT: Type.Optional(Type.String({ minLength: 1 })),
    MLA_RECONCILE_INTERVAL: Int("Seconds between two drift checks of one cluster", RECONCILE_DEFAULTS.intervalSeconds),
    MLA_RECONCILE_JITTER: Type.String({
        pattern: "^([0-9]|[1-9][0-9]|100)$",
        default: String(RECONCILE_DEFAULTS.jitterPercent),
        description: "Percent the interval varies by (0-100)",
    }),
    MLA_RECONCILE_POLICY: Type.Union(
        RECONCILE_POLICIES.map((p) => Type.Literal(p)),
        {
            default: RECONCILE_DEFAULTS.policy,
            description: "report or remediate drift; a cluster's reconcilePolicy overrides it",
        },
    ),
    MLA_RECONCILE_WORKERS: Int("Drift checks running at once (besides MLA_WORKERS)", RECONCILE_DEFAULTS.workers),
    MLA_RECONCILE_TIMEOUT: Int(
        "Seconds one drift check may take before it is aborted",
        RECONCILE_DEFAULTS.checkTimeoutSeconds,
    ),
    MLA_HEALTH_INTERVAL: Int(
        "Seconds between two health probes of every cluster",
        RECONCILE_DEFAULTS.healthIntervalSeconds,
    ),
    MLA_HEALTH_TIMEOUT: Int("Seconds a health probe request may take", RECONCILE_DEFAULTS.healthTimeoutSeconds),
    MLA_OPERATION_HISTORY: Int("Finished operations kept per registered cluster", RETENTION_DEFAULTS.perCluster),
    MLA_OPERATION_RETENTION_DAYS: Int(
        "Days a removed cluster's finished operations are kept",
        RETENTION_DEFAULTS.removedForDays,
    ),
    MLA_LOG_LEVEL: Type.Union(
        ["fatal", "error", "warn", "info", "debug", "trace"].map((l) => Type.Literal(l)),
        { default: "info" },
    ),
    MLA_SEED_KUBECONFIG_DIR: Type.Optional(Type.String({ minLength: 1 })),
    MLA_SEED_API_FILE: Type.Optional(
        Type.String({ minLength: 1, description: "JSON: each seed's API addresses as the service reaches them" }),
    ),
    MLA_SPEC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
    MLA_SECRETS_PROVIDER: Type.Optional(Type.String({ pattern: "^[a-z0-9]+://" })),
    PULUMI_CONFIG_PASSPHRASE: Type.Optional(Type.String()),
    PULUMI_CONFIG_PASSPHRASE_FILE: Type.Optional(Type.String()),
});

/** The raw validated environment. */
export type ServiceEnv = Static<typeof ServiceEnv>;

/** The settings derived from it. */
export interface ServiceConfig {
    env: ServiceEnv;
    host: string;
    port: number;
    dataDir: string;
    workers: number;
    queueLimit: number;
    bodyLimit: number;
    shutdownTimeoutMs: number;
    /** The reconciler (MLA_RECONCILE_*). */
    reconcile: { intervalMs: number; jitter: number; policy: ReconcilePolicy; workers: number; checkTimeoutMs: number };
    /** The operation history kept (MLA_OPERATION_*). */
    retention: RetentionPolicy;
    /** The health probes (MLA_HEALTH_*). */
    health: { intervalMs: number; timeoutMs: number };
}

/** Validates `source` (only the known keys), applies defaults; throws one error listing every problem. */
export function loadServiceConfig(source: NodeJS.ProcessEnv): ServiceConfig {
    const known = Object.fromEntries(
        Object.keys(ServiceEnv.properties)
            .filter((k) => source[k] !== undefined && source[k] !== "")
            .map((k) => [k, source[k]]),
    );
    const env = Value.Default(ServiceEnv, known) as ServiceEnv;
    // Never print the value: several of these are secrets.
    const problems = [...Value.Errors(ServiceEnv, env)].map((e) => `${e.path.slice(1)} ${e.message}`);
    const [, host, port] = /^(.*):([0-9]+)$/.exec(env.MLA_LISTEN ?? "") ?? [];
    if (port !== undefined && Number(port) > 65535) problems.push("MLA_LISTEN port must be at most 65535");
    if (env.MLA_EXECUTOR === "operator" && !env.MLA_OPERATOR_REPO)
        problems.push("MLA_OPERATOR_REPO is required with MLA_EXECUTOR=operator");
    if (problems.length > 0)
        throw new Error(`${problems.length} problem(s) in the environment: ${problems.join("; ")}`);
    return {
        env,
        host: host.replace(/^\[|\]$/g, ""),
        port: Number(port),
        dataDir: resolve(env.MLA_DATA_DIR),
        workers: Number(env.MLA_WORKERS),
        queueLimit: Number(env.MLA_QUEUE_SIZE),
        bodyLimit: Number(env.MLA_BODY_LIMIT),
        shutdownTimeoutMs: Number(env.MLA_SHUTDOWN_TIMEOUT) * 1000,
        reconcile: {
            intervalMs: Number(env.MLA_RECONCILE_INTERVAL) * 1000,
            jitter: Number(env.MLA_RECONCILE_JITTER) / 100,
            policy: env.MLA_RECONCILE_POLICY as ReconcilePolicy,
            workers: Number(env.MLA_RECONCILE_WORKERS),
            checkTimeoutMs: Number(env.MLA_RECONCILE_TIMEOUT) * 1000,
        },
        retention: {
            perCluster: Number(env.MLA_OPERATION_HISTORY),
            withStepsPerCluster: RETENTION_DEFAULTS.withStepsPerCluster,
            removedForMs: Number(env.MLA_OPERATION_RETENTION_DAYS) * 86_400_000,
        },
        health: {
            intervalMs: Number(env.MLA_HEALTH_INTERVAL) * 1000,
            timeoutMs: Number(env.MLA_HEALTH_TIMEOUT) * 1000,
        },
    };
}
