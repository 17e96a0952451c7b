import { expect } from "chai";
import { parse } from "yaml";
import { limitsProblems } from "../../spec/checks/limits";
import { renderCortexOverrides, renderLokiOverrides } from "../../components/tenant/limits";
import { type TenantSpec } from "../../spec/tenant-spec";

type LimitsInput = Pick<TenantSpec, "metricsLimits" | "logsLimits" | "retention">;

const TENANT_A: LimitsInput = {
    metricsLimits: {
        ingestionRate: 10000,
        ingestionBurstSize: 20000,
        maxSeriesPerUser: 150000,
        maxSeriesPerMetric: 20000,
        maxSamplesPerQuery: 50_000_000,
        maxFetchedSeriesPerQuery: 100000,
    },
    logsLimits: {
        ingestionRateMb: 4,
        ingestionBurstSizeMb: 6,
        maxStreamsPerUser: 5000,
        perStreamRateLimit: "3MB",
        perStreamRateLimitBurst: "15MB",
    },
    retention: { metrics: "720h", logs: "168h" },
};

/** The seed merger's output shape for the parse check: one `overrides:` key. */
function merge(fragments: string[]): string {
    return `overrides:\n${fragments.join("")}`;
}

describe("limits and retention", () => {
    it("renders the Cortex fragment with the tenant's limits, query limits and retention", () => {
        expect(renderCortexOverrides("abc123", TENANT_A)).to.equal(
            [
                '  "abc123":',
                "    ingestion_rate: 10000",
                "    ingestion_burst_size: 20000",
                "    max_global_series_per_user: 150000",
                "    max_global_series_per_metric: 20000",
                "    max_fetched_series_per_query: 100000",
                "    max_fetched_chunks_per_query: 416667",
                "    compactor_blocks_retention_period: 720h",
                "    max_query_lookback: 720h",
                "",
            ].join("\n"),
        );
    });

    it("renders the Loki fragment without a deletion mode (the seed sets it for every tenant)", () => {
        const expected = [
            '  "abc123":',
            "    ingestion_rate_mb: 4",
            "    ingestion_burst_size_mb: 6",
            "    max_global_streams_per_user: 5000",
            '    per_stream_rate_limit: "3MB"',
            '    per_stream_rate_limit_burst: "15MB"',
            "    retention_period: 168h",
            "",
        ].join("\n");
        expect(renderLokiOverrides("abc123", TENANT_A)).to.equal(expected);
    });

    it("quotes an all-digit cluster id so the merged YAML keeps it a string key", () => {
        const merged = parse(merge([renderCortexOverrides("12345", TENANT_A)]));
        expect(Object.keys(merged.overrides)).to.deep.equal(["12345"]);
    });

    it("reports every bad limit and retention at once", () => {
        const bad = {
            metricsLimits: {
                ...TENANT_A.metricsLimits,
                ingestionRate: -1,
                maxSeriesPerUser: 1.5,
                maxSeriesPerMetric: 0,
            },
            logsLimits: { ...TENANT_A.logsLimits, ingestionRateMb: 0, perStreamRateLimit: "3 megabytes" },
            retention: { metrics: "2h", logs: "a week" },
        };
        expect(limitsProblems(bad)).to.deep.equal([
            "tenant.metricsLimits.ingestionRate must be a whole number > 0, got -1",
            "tenant.metricsLimits.maxSeriesPerUser must be a whole number > 0, got 1.5",
            "tenant.metricsLimits.maxSeriesPerMetric must be a whole number > 0, got 0",
            "tenant.logsLimits.ingestionRateMb must be a number of MB > 0, got 0",
            'tenant.logsLimits.perStreamRateLimit must be a byte size such as "3MB", got "3 megabytes"',
            'tenant.retention.metrics must be at least 24h, got "2h"',
            'tenant.retention.logs must be a duration such as "5m" or "168h", got "a week"',
        ]);
        expect(limitsProblems(TENANT_A)).to.deep.equal([]);
    });
});
