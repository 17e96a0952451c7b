/**
 * The cluster stack's config (`mla:*` keys) → {@link ClusterSpec}, for `pulumi up` by hand (pure:
 * it reads only through the given {@link ConfigReader}).
 *
 * Keys: `mla:clusterId`, `mla:project`, `mla:seedStack`, the secrets `mla:seedKubeconfig` and
 * `mla:userKubeconfig`, `mla:suspended`, and the objects `mla:gateway`, `mla:pki`,
 * `mla:monitoring`, `mla:logging`, `mla:tenant`, `mla:seedApi` (fields as in `cluster-spec.ts`). Type problems,
 * unknown keys and semantic problems are reported together in one ConfigError.
 */
import type { ConfigReader } from "./config-reader";
import { applyClusterDefaults, CLUSTER_DEFAULTS, type ClusterSpecInput } from "./cluster-defaults";
import { DEFAULT_SERVICE_TYPE, METRICS_AGENT_KINDS, SERVICE_TYPES, type ClusterSpec } from "../spec/cluster-spec";
import { clusterSpecProblems } from "../spec/checks/cluster-checks";

/** Known fields of each object key; anything else is reported as a typo. */
const KNOWN: Record<string, string[]> = {
    gateway: [
        "externalHostnames",
        "externalIps",
        "serviceType",
        "replicas",
        "allowSingleReplica",
        "metricsWriteLimit",
        "logsWriteLimit",
        "queryLimit",
        "maxBodySize",
    ],
    pki: ["validityHours", "earlyRenewalHours", "credentialsGeneration"],
    monitoring: [
        "enabled",
        "agent",
        "scrapeInterval",
        "customScrapeConfigs",
        "resources",
        "replicas",
        "nodeExporter",
        "kubeStateMetrics",
    ],
    logging: ["enabled", "agent", "resources"],
    tenant: [
        "alertmanagerConfig",
        "metricRuleGroups",
        "logRuleGroups",
        "metricsLimits",
        "logsLimits",
        "retention",
        "purgeOnDestroy",
    ],
    seedApi: ["grafanaOrgId", "grafanaUrl", "cortexPurgerUrl", "lokiDeleteUrl"],
};

/** Optional typed reads: undefined when absent, so the defaults apply. */
function optional(r: ConfigReader) {
    const has = (path: string) => r.raw(path) !== undefined;
    return {
        // A malformed value reads as undefined (the problem is already recorded), so the
        // semantic checks do not report the same field twice.
        int: (path: string) => {
            const n = has(path) ? r.integer(path, Number.NaN) : undefined;
            return Number.isNaN(n) ? undefined : n;
        },
        bool: (path: string) => (has(path) ? r.boolean(path, false) : undefined),
        str: (path: string) => r.string(path),
        list: (path: string) => (has(path) ? r.stringList(path) : undefined),
        number(path: string): number | undefined {
            const v = r.raw(path);
            if (v === undefined) return undefined;
            const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
            if (typeof n === "number" && Number.isFinite(n)) return n;
            r.problem(path, `must be a number, got ${JSON.stringify(v)}`);
            return undefined;
        },
        objects(path: string): Record<string, unknown>[] | undefined {
            const v = r.raw(path);
            if (v === undefined) return undefined;
            if (Array.isArray(v) && v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x))) return v;
            r.problem(path, "must be a list of objects");
            return undefined;
        },
    };
}

function rate(o: ReturnType<typeof optional>, path: string) {
    return { requestsPerSecond: o.number(`${path}.requestsPerSecond`), burst: o.int(`${path}.burst`) };
}

function resources(o: ReturnType<typeof optional>, path: string) {
    const q = (kind: string) => ({ cpu: o.str(`${path}.${kind}.cpu`), memory: o.str(`${path}.${kind}.memory`) });
    return { requests: q("requests"), limits: q("limits") };
}

/** Drops undefined fields so `{ ...defaults, ...given }` keeps the defaults. */
function defined<T>(value: T): T {
    if (Array.isArray(value) || value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = defined(v);
    return out as T;
}

/** Reads the cluster stack's config; throws one ConfigError listing every problem. */
export function loadClusterSpec(r: ConfigReader): ClusterSpec {
    const o = optional(r);
    for (const [key, fields] of Object.entries(KNOWN)) {
        for (const field of Object.keys(r.object(key) ?? {})) {
            if (!fields.includes(field))
                r.problem(`${key}.${field}`, `is not a known setting (known: ${fields.join(", ")})`);
        }
    }
    const hint = (key: string) => `pulumi config set --secret mla:${key} < kubeconfig.yaml`;
    const input: ClusterSpecInput = {
        clusterId: r.string("clusterId", { required: true }),
        project: r.string("project", { required: true }),
        seedStack: r.string("seedStack", { required: true }),
        seedKubeconfig: r.secret("seedKubeconfig", { required: true, hint: hint("seedKubeconfig") }) ?? "",
        userKubeconfig: r.secret("userKubeconfig", { required: true, hint: hint("userKubeconfig") }) ?? "",
        suspended: o.bool("suspended"),
        gateway: defined({
            externalHostnames: o.list("gateway.externalHostnames"),
            externalIps: o.list("gateway.externalIps"),
            serviceType:
                r.raw("gateway.serviceType") === undefined
                    ? undefined
                    : r.oneOf("gateway.serviceType", SERVICE_TYPES, DEFAULT_SERVICE_TYPE),
            replicas: o.int("gateway.replicas"),
            allowSingleReplica: o.bool("gateway.allowSingleReplica"),
            metricsWriteLimit: rate(o, "gateway.metricsWriteLimit"),
            logsWriteLimit: rate(o, "gateway.logsWriteLimit"),
            queryLimit: rate(o, "gateway.queryLimit"),
            maxBodySize: o.str("gateway.maxBodySize"),
        }),
        pki: defined({
            validityHours: o.int("pki.validityHours"),
            earlyRenewalHours: o.int("pki.earlyRenewalHours"),
            credentialsGeneration: o.int("pki.credentialsGeneration"),
        }),
        monitoring: defined({
            enabled: o.bool("monitoring.enabled"),
            agent:
                r.raw("monitoring.agent") === undefined
                    ? undefined
                    : r.oneOf("monitoring.agent", METRICS_AGENT_KINDS, CLUSTER_DEFAULTS.monitoring.agent),
            scrapeInterval: o.str("monitoring.scrapeInterval"),
            customScrapeConfigs: o.objects("monitoring.customScrapeConfigs"),
            resources: resources(o, "monitoring.resources"),
            replicas: o.int("monitoring.replicas"),
            nodeExporter: o.bool("monitoring.nodeExporter"),
            kubeStateMetrics: o.bool("monitoring.kubeStateMetrics"),
        }),
        logging: defined({
            enabled: o.bool("logging.enabled"),
            agent:
                r.raw("logging.agent") === undefined
                    ? undefined
                    : r.oneOf("logging.agent", ["alloy", "promtail"] as const, "alloy"),
            resources: resources(o, "logging.resources"),
        }),
        tenant: defined({
            alertmanagerConfig: o.str("tenant.alertmanagerConfig"),
            metricRuleGroups: o.objects("tenant.metricRuleGroups") as never,
            logRuleGroups: o.objects("tenant.logRuleGroups") as never,
            metricsLimits: Object.fromEntries(
                [
                    "ingestionRate",
                    "ingestionBurstSize",
                    "maxSeriesPerUser",
                    "maxSeriesPerMetric",
                    "maxSamplesPerQuery",
                    "maxFetchedSeriesPerQuery",
                ].map((k) => [k, o.int(`tenant.metricsLimits.${k}`)]),
            ),
            logsLimits: {
                ingestionRateMb: o.number("tenant.logsLimits.ingestionRateMb"),
                ingestionBurstSizeMb: o.number("tenant.logsLimits.ingestionBurstSizeMb"),
                maxStreamsPerUser: o.int("tenant.logsLimits.maxStreamsPerUser"),
                perStreamRateLimit: o.str("tenant.logsLimits.perStreamRateLimit"),
                perStreamRateLimitBurst: o.str("tenant.logsLimits.perStreamRateLimitBurst"),
            },
            retention: { metrics: o.str("tenant.retention.metrics"), logs: o.str("tenant.retention.logs") },
            purgeOnDestroy: o.bool("tenant.purgeOnDestroy"),
        }),
        seedApi: defined({
            grafanaOrgId: o.int("seedApi.grafanaOrgId"),
            grafanaUrl: o.str("seedApi.grafanaUrl"),
            cortexPurgerUrl: o.str("seedApi.cortexPurgerUrl"),
            lokiDeleteUrl: o.str("seedApi.lokiDeleteUrl"),
        }),
    };
    const spec = applyClusterDefaults(input);
    // Semantic checks only make sense on values that were present and well-typed.
    const missing = (v: unknown) => v === "" || v === undefined;
    for (const p of clusterSpecProblems(spec)) {
        const identity = ["clusterId", "project", "seedStack", "seedKubeconfig", "userKubeconfig"].includes(p.path);
        if (identity && missing((spec as unknown as Record<string, unknown>)[p.path])) continue;
        r.problem(p.path, p.message);
    }
    r.done();
    return spec;
}
