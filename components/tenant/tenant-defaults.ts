/**
 * Defaults of a tenant spec, for inputs that leave fields out (`mla render --config` files).
 * The cluster stack's config loader applies its own documented defaults; these match the
 * backends' upstream defaults where one exists.
 */
import type { TenantSpec } from "../../stacks/cluster-spec";

/** A tenant with no owner config or rules, upstream-like limits and one week / one month retention. */
export function defaultTenantSpec(): TenantSpec {
    return {
        metricRuleGroups: [],
        logRuleGroups: [],
        // Cortex's flag defaults for rate and burst; series and query limits sized for one cluster.
        metricsLimits: {
            ingestionRate: 25000,
            ingestionBurstSize: 50000,
            maxSeriesPerUser: 1_000_000,
            maxSeriesPerMetric: 50000,
            maxSamplesPerQuery: 50_000_000,
            maxFetchedSeriesPerQuery: 100000,
        },
        // Loki's limits_config defaults.
        logsLimits: {
            ingestionRateMb: 4,
            ingestionBurstSizeMb: 6,
            maxStreamsPerUser: 5000,
            perStreamRateLimit: "3MB",
            perStreamRateLimitBurst: "15MB",
        },
        retention: { metrics: "720h", logs: "168h" },
        purgeOnDestroy: false,
    };
}

/** `partial` over the defaults, one level deep for the grouped fields. */
export function withTenantDefaults(partial: Partial<TenantSpec>): TenantSpec {
    const d = defaultTenantSpec();
    return {
        ...d,
        ...partial,
        metricsLimits: { ...d.metricsLimits, ...partial.metricsLimits },
        logsLimits: { ...d.logsLimits, ...partial.logsLimits },
        retention: { ...d.retention, ...partial.retention },
    };
}
