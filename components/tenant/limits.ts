/**
 * Per-tenant limits and retention as runtime-overrides FRAGMENTS, one per backend.
 *
 * A fragment holds only this tenant's entry, indented for a place under the single top-level
 * `overrides:` key that the seed's merger writes. Each cluster stack owns one ConfigMap with its
 * own fragment, so adding, changing or removing a tenant never rewrites another tenant's bytes.
 * Keys come out in a fixed order and numbers in one notation for the same reason.
 */
import type { TenantSpec } from "../../spec/cluster-spec";
import { LOKI_SIZE, MIN_RETENTION_MS } from "../../spec/validation";
import { durationProblem, parseDuration } from "./duration";

/**
 * Cortex has no per-tenant sample limit per query (`-querier.max-samples` is global), so the
 * spec's sample limit becomes a chunk limit: the Prometheus TSDB cuts a chunk at 120 samples.
 */
export const SAMPLES_PER_CHUNK = 120;

/** The Cortex fragment: limits, query limits and block retention of `clusterId`. */
export function renderCortexOverrides(
    clusterId: string,
    tenant: Pick<TenantSpec, "metricsLimits" | "retention">,
): string {
    const l = tenant.metricsLimits;
    return fragment(clusterId, [
        ["ingestion_rate", num(l.ingestionRate)],
        ["ingestion_burst_size", num(l.ingestionBurstSize)],
        // The global (cluster-wide) variants: the per-ingester ones multiply with the ring size.
        ["max_global_series_per_user", num(l.maxSeriesPerUser)],
        ["max_global_series_per_metric", num(l.maxSeriesPerMetric)],
        ["max_fetched_series_per_query", num(l.maxFetchedSeriesPerQuery)],
        ["max_fetched_chunks_per_query", num(Math.ceil(l.maxSamplesPerQuery / SAMPLES_PER_CHUNK))],
        ["compactor_blocks_retention_period", tenant.retention.metrics],
        // Queries beyond retention would hit deleted blocks; Cortex recommends matching lookback.
        ["max_query_lookback", tenant.retention.metrics],
    ]);
}

/**
 * The Loki fragment: ingestion and stream limits and retention. No deletion mode: the seed sets
 * `deletion_mode: filter-and-delete` for every tenant, so a purge never waits for a fragment.
 */
export function renderLokiOverrides(clusterId: string, tenant: Pick<TenantSpec, "logsLimits" | "retention">): string {
    const l = tenant.logsLimits;
    return fragment(clusterId, [
        ["ingestion_rate_mb", num(l.ingestionRateMb)],
        ["ingestion_burst_size_mb", num(l.ingestionBurstSizeMb)],
        ["max_global_streams_per_user", num(l.maxStreamsPerUser)],
        ["per_stream_rate_limit", JSON.stringify(l.perStreamRateLimit)],
        ["per_stream_rate_limit_burst", JSON.stringify(l.perStreamRateLimitBurst)],
        ["retention_period", tenant.retention.logs],
    ]);
}

/**
 * Every problem with the limits and retention, as `tenant.<field> ...` messages. Every limit must
 * be above 0; there is no "unlimited". The backends do not read 0 the same way for every limit
 * (off for series caps, a zero-sized token bucket for rates), so 0 is refused everywhere rather
 * than meaning two things; set a large number instead.
 */
export function limitsProblems(tenant: Pick<TenantSpec, "metricsLimits" | "logsLimits" | "retention">): string[] {
    const problems: string[] = [];
    const counts: [string, unknown][] = [
        ["metricsLimits.ingestionRate", tenant.metricsLimits?.ingestionRate],
        ["metricsLimits.ingestionBurstSize", tenant.metricsLimits?.ingestionBurstSize],
        ["metricsLimits.maxSeriesPerUser", tenant.metricsLimits?.maxSeriesPerUser],
        ["metricsLimits.maxSeriesPerMetric", tenant.metricsLimits?.maxSeriesPerMetric],
        ["metricsLimits.maxSamplesPerQuery", tenant.metricsLimits?.maxSamplesPerQuery],
        ["metricsLimits.maxFetchedSeriesPerQuery", tenant.metricsLimits?.maxFetchedSeriesPerQuery],
        ["logsLimits.maxStreamsPerUser", tenant.logsLimits?.maxStreamsPerUser],
    ];
    for (const [field, value] of counts) {
        if (!Number.isSafeInteger(value) || (value as number) <= 0) {
            problems.push(`tenant.${field} must be a whole number > 0, got ${JSON.stringify(value)}`);
        }
    }
    for (const field of ["ingestionRateMb", "ingestionBurstSizeMb"] as const) {
        const value = tenant.logsLimits?.[field];
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
            problems.push(`tenant.logsLimits.${field} must be a number of MB > 0, got ${JSON.stringify(value)}`);
        }
    }
    for (const field of ["perStreamRateLimit", "perStreamRateLimitBurst"] as const) {
        const value = tenant.logsLimits?.[field];
        if (typeof value !== "string" || !LOKI_SIZE.test(value)) {
            problems.push(`tenant.logsLimits.${field} must be a byte size such as "3MB", got ${JSON.stringify(value)}`);
        }
    }
    for (const field of ["metrics", "logs"] as const) {
        const value = tenant.retention?.[field];
        const problem = durationProblem(`tenant.retention.${field}`, value);
        if (problem) problems.push(problem);
        else if ((parseDuration(value as string) as number) < MIN_RETENTION_MS) {
            problems.push(`tenant.retention.${field} must be at least 24h, got "${value}"`);
        }
    }
    return problems;
}

/** Two-space indented entry: `  "<id>":` then the keys at four spaces. */
function fragment(clusterId: string, entries: readonly (readonly [string, string])[]): string {
    const lines = [`  ${JSON.stringify(clusterId)}:`, ...entries.map(([k, v]) => `    ${k}: ${v}`)];
    return `${lines.join("\n")}\n`;
}

/** Plain decimal notation; never exponent form, which some YAML readers take as a string. */
function num(n: number): string {
    return Number.isInteger(n) ? n.toFixed(0) : String(n);
}
