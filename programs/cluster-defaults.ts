/**
 * Defaults and semantic checks for the cluster program's input (pure).
 *
 * Both producers of a {@link ClusterSpec} call {@link resolveClusterSpec}: the stack config loader
 * (`programs/cluster-config.ts`) and the onboarding service. Types are the producers' job (config
 * reader, TypeBox); this file fills in defaults and checks meaning, and reports every problem in
 * one {@link ConfigError}.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config-reader";
import type {
    ClusterSpec,
    GatewaySpec,
    LoggingSpec,
    MonitoringSpec,
    PkiSpec,
    SeedApiSpec,
    TenantSpec,
} from "../spec/cluster-spec";
import { clusterSpecProblems } from "../spec/checks/cluster-checks";
import {
    DEFAULT_GATEWAY_LIMITS,
    DEFAULT_LOG_AGENT_RESOURCES,
    DEFAULT_METRICS_AGENT,
    DEFAULT_SERVICE_TYPE,
    METRICS_AGENT_RESOURCES,
} from "../spec/cluster-spec";

/** Every field optional, recursively; arrays are taken whole. */
export type DeepPartial<T> = T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

/** The input of {@link resolveClusterSpec}: identity and kubeconfigs required, the rest optional. */
export interface ClusterSpecInput {
    clusterId: string;
    project: string;
    seedStack: string;
    seedKubeconfig: pulumi.Input<string>;
    userKubeconfig: pulumi.Input<string>;
    suspended?: boolean;
    gateway?: DeepPartial<GatewaySpec>;
    pki?: DeepPartial<PkiSpec>;
    monitoring?: DeepPartial<MonitoringSpec>;
    logging?: DeepPartial<LoggingSpec>;
    tenant?: DeepPartial<TenantSpec>;
    seedApi?: SeedApiSpec;
    reconcilePolicy?: ClusterSpec["reconcilePolicy"];
}

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
export function applyTenantDefaults(t: DeepPartial<TenantSpec> = {}): TenantSpec {
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

type Res = { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };

/** Merges per quantity, so setting only `limits.memory` keeps the other three defaults. */
function resources(given: DeepPartial<Res> | undefined, d: Res): Res {
    return {
        requests: { ...d.requests, ...given?.requests },
        limits: { ...d.limits, ...given?.limits },
    };
}

/**
 * Applies the defaults and checks the result; throws a {@link ConfigError} listing every problem
 * (`<field> <message>`). The signature is stable: the onboarding service calls it too.
 */
export function resolveClusterSpec(input: ClusterSpecInput): ClusterSpec {
    const spec = applyClusterDefaults(input);
    const problems = clusterSpecProblems(spec);
    if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p.path} ${p.message}`));
    return spec;
}

/** Re-exported for callers that want the problems without the throw. */
export { clusterSpecProblems };
