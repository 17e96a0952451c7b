/**
 * The cluster spec's defaults, written once (pure), and {@link resolveClusterSpec}, which every
 * producer of a spec calls: the stack config loader (`programs/cluster-config.ts`) and the
 * onboarding service. It fills in defaults and runs the checks, and throws one
 * {@link ConfigError} listing every problem.
 */
import type { ClusterSpec, MetricsAgentKind, RateLimitSpec, ResourceSpec } from "./cluster-spec";
import { DEFAULT_METRICS_AGENT, DEFAULT_SERVICE_TYPE } from "./cluster-spec";
import type { ClusterSpecInput, TenantInput } from "./cluster-input";
import type { TenantSpec } from "./tenant-spec";
import { clusterSpecProblems } from "./checks/cluster-checks";
import { ConfigError } from "./config-error";

/**
 * The metrics agent's default resources, per agent. Prometheus: the reference's. vmagent: sized
 * from bench:agent, where it held 51-61 MiB RSS at 100k and at 400k series and used 38-65
 * millicores at 100k series every 15 s (docs/fleet-cost.md): 128Mi is twice the peak, 50m covers
 * 100k series at the default 30 s interval with room; the limit leaves room for a backlog.
 */
export const METRICS_AGENT_RESOURCES = {
    vmagent: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    prometheus: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "4Gi" } },
} as const satisfies Record<MetricsAgentKind, ResourceSpec>;

/**
 * The gateway's default limits, per replica. Remote write sends about one request per shard per
 * few hundred ms; the body limit is far above a real batch (35-280 KB) and below memory concerns.
 */
export const DEFAULT_GATEWAY_LIMITS = {
    metricsWrite: { requestsPerSecond: 100, burst: 200 },
    logsWrite: { requestsPerSecond: 50, burst: 100 },
    query: { requestsPerSecond: 20, burst: 40 },
    maxBodySize: "16m",
} as const satisfies {
    metricsWrite: RateLimitSpec;
    logsWrite: RateLimitSpec;
    query: RateLimitSpec;
    maxBodySize: string;
};

/** The log agent's default resources. */
export const DEFAULT_LOG_AGENT_RESOURCES = {
    requests: { cpu: "50m", memory: "64Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
} as const satisfies ResourceSpec;

/** The documented defaults (everything but identity and kubeconfigs). */
export const CLUSTER_DEFAULTS = {
    suspended: false,
    gateway: {
        externalHostnames: [],
        externalIps: [],
        serviceType: DEFAULT_SERVICE_TYPE,
        replicas: 2,
        allowSingleReplica: false,
        metricsWriteLimit: DEFAULT_GATEWAY_LIMITS.metricsWrite,
        logsWriteLimit: DEFAULT_GATEWAY_LIMITS.logsWrite,
        queryLimit: DEFAULT_GATEWAY_LIMITS.query,
        maxBodySize: DEFAULT_GATEWAY_LIMITS.maxBodySize,
    },
    pki: { validityHours: 8760, earlyRenewalHours: 720, credentialsGeneration: 0 },
    monitoring: {
        enabled: true,
        agent: DEFAULT_METRICS_AGENT,
        scrapeInterval: "30s",
        customScrapeConfigs: [],
        // The default agent's; another agent's defaults apply when `agent` is set (applyClusterDefaults).
        resources: METRICS_AGENT_RESOURCES[DEFAULT_METRICS_AGENT],
        replicas: 1,
        nodeExporter: false,
        kubeStateMetrics: false,
    },
    logging: {
        enabled: true,
        agent: "alloy",
        resources: DEFAULT_LOG_AGENT_RESOURCES,
    },
    tenant: {
        metricRuleGroups: [],
        logRuleGroups: [],
        // Cortex's own defaults for ingestion; series caps sized for one mid-size cluster.
        metricsLimits: {
            ingestionRate: 25000,
            ingestionBurstSize: 50000,
            maxSeriesPerUser: 500000,
            maxSeriesPerMetric: 50000,
            maxSamplesPerQuery: 50000000,
            maxFetchedSeriesPerQuery: 100000,
        },
        // Loki's defaults for rates; a stream cap so one noisy label cannot exhaust the ingesters.
        logsLimits: {
            ingestionRateMb: 4,
            ingestionBurstSizeMb: 6,
            maxStreamsPerUser: 10000,
            perStreamRateLimit: "3MB",
            perStreamRateLimitBurst: "15MB",
        },
        // The reference keeps about a week of data in one global bucket lifecycle.
        retention: { metrics: "168h", logs: "168h" },
        purgeOnDestroy: false,
    },
} as const satisfies Omit<
    ClusterSpec,
    "clusterId" | "project" | "seedStack" | "seedKubeconfig" | "userKubeconfig" | "seedApi"
>;

/** Fills every missing field of `input` with {@link CLUSTER_DEFAULTS}; no checks. */
export function applyClusterDefaults(input: ClusterSpecInput): ClusterSpec {
    const d = CLUSTER_DEFAULTS;
    const g = input.gateway ?? {};
    const m = input.monitoring ?? {};
    const l = input.logging ?? {};
    const t = input.tenant ?? {};
    return {
        clusterId: input.clusterId,
        project: input.project,
        seedStack: input.seedStack,
        seedKubeconfig: input.seedKubeconfig,
        userKubeconfig: input.userKubeconfig,
        suspended: input.suspended ?? d.suspended,
        ...(input.reconcilePolicy !== undefined ? { reconcilePolicy: input.reconcilePolicy } : {}),
        gateway: {
            externalHostnames: [...(g.externalHostnames ?? d.gateway.externalHostnames)],
            externalIps: [...(g.externalIps ?? d.gateway.externalIps)],
            serviceType: g.serviceType ?? d.gateway.serviceType,
            replicas: g.replicas ?? d.gateway.replicas,
            allowSingleReplica: g.allowSingleReplica ?? d.gateway.allowSingleReplica,
            metricsWriteLimit: { ...d.gateway.metricsWriteLimit, ...g.metricsWriteLimit },
            logsWriteLimit: { ...d.gateway.logsWriteLimit, ...g.logsWriteLimit },
            queryLimit: { ...d.gateway.queryLimit, ...g.queryLimit },
            maxBodySize: g.maxBodySize ?? d.gateway.maxBodySize,
        },
        pki: { ...d.pki, ...input.pki },
        monitoring: {
            enabled: m.enabled ?? d.monitoring.enabled,
            agent: m.agent ?? d.monitoring.agent,
            scrapeInterval: m.scrapeInterval ?? d.monitoring.scrapeInterval,
            customScrapeConfigs: [...(m.customScrapeConfigs ?? [])],
            resources: resources(m.resources, METRICS_AGENT_RESOURCES[m.agent ?? d.monitoring.agent]),
            replicas: m.replicas ?? d.monitoring.replicas,
            nodeExporter: m.nodeExporter ?? d.monitoring.nodeExporter,
            kubeStateMetrics: m.kubeStateMetrics ?? d.monitoring.kubeStateMetrics,
        },
        logging: {
            enabled: l.enabled ?? d.logging.enabled,
            agent: l.agent ?? d.logging.agent,
            resources: resources(l.resources, d.logging.resources),
        },
        tenant: applyTenantDefaults(t),
        seedApi: { ...input.seedApi },
    };
}

/**
 * Fills every missing field of a tenant spec with `CLUSTER_DEFAULTS.tenant`, one level deep for
 * the grouped fields. The one tenant default set: the cluster stack, the onboarding service and
 * `mla render alertmanager|rules|limits` all resolve a tenant through here.
 */
export function applyTenantDefaults(t: TenantInput = {}): TenantSpec {
    const d = CLUSTER_DEFAULTS.tenant;
    return {
        alertmanagerConfig: t.alertmanagerConfig,
        metricRuleGroups: [...(t.metricRuleGroups ?? d.metricRuleGroups)],
        logRuleGroups: [...(t.logRuleGroups ?? d.logRuleGroups)],
        metricsLimits: { ...d.metricsLimits, ...t.metricsLimits },
        logsLimits: { ...d.logsLimits, ...t.logsLimits },
        retention: { ...d.retention, ...t.retention },
        purgeOnDestroy: t.purgeOnDestroy ?? d.purgeOnDestroy,
    };
}

/** Merges per quantity, so setting only `limits.memory` keeps the other three defaults. */
function resources(given: ResourceSpec | undefined, d: ResourceSpec): ResourceSpec {
    return {
        requests: { ...d.requests, ...given?.requests },
        limits: { ...d.limits, ...given?.limits },
    };
}

/**
 * Applies the defaults and checks the result; throws a {@link ConfigError} listing every problem
 * (`<field> <message>`). The onboarding service and the stack config loader both call it.
 */
export function resolveClusterSpec(input: ClusterSpecInput): ClusterSpec {
    const spec = applyClusterDefaults(input);
    const problems = clusterSpecProblems(spec);
    if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p.path} ${p.message}`));
    return spec;
}
