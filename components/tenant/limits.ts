import { type TenantSpec } from "../../spec/tenant-spec";
/**
 * Per-tenant limits and retention as runtime-overrides FRAGMENTS, one per backend.
 *
 * A fragment holds only this tenant's entry, indented for a place under the single top-level
 * `overrides:` key that the seed's merger writes. Each cluster stack owns one ConfigMap with its
 * own fragment, so adding, changing or removing a tenant never rewrites another tenant's bytes.
 * Keys come out in a fixed order and numbers in one notation for the same reason.
 */

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

/** Two-space indented entry: `  "<id>":` then the keys at four spaces. */
function fragment(clusterId: string, entries: readonly (readonly [string, string])[]): string {
    const lines = [`  ${JSON.stringify(clusterId)}:`, ...entries.map(([k, v]) => `    ${k}: ${v}`)];
    return `${lines.join("\n")}\n`;
}

/** Plain decimal notation; never exponent form, which some YAML readers take as a string. */
function num(n: number): string {
    return Number.isInteger(n) ? n.toFixed(0) : String(n);
}
