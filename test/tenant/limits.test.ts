import { expect } from "chai";
import { parse } from "yaml";
import { renderDatasources } from "../../components/tenant/grafana-datasources";
import { limitsProblems, renderCortexOverrides, renderLokiOverrides } from "../../components/tenant/limits";
import type { TenantSpec } from "../../stacks/cluster-spec";

type LimitsInput = Pick<TenantSpec, "metricsLimits" | "logsLimits" | "retention" | "purgeOnDestroy">;

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
    purgeOnDestroy: false,
};

const GATEWAY = { service: "mla-gateway-read", port: 8080 };

/** The seed merger's behaviour: one `overrides:` key, fragments in ConfigMap-name order. */
function merge(fragments: Map<string, string>): string {
    const names = [...fragments.keys()].sort();
    return `overrides:\n${names.map((n) => fragments.get(n)).join("")}`;
}

/** The lines of `tenant`'s entry inside a merged file: from its key line to the next key line. */
function entryBytes(merged: string, tenant: string): string {
    const lines = merged.split("\n");
    const start = lines.indexOf(`  "${tenant}":`);
    expect(start, `entry of ${tenant}`).to.be.greaterThan(0);
    let end = start + 1;
    while (end < lines.length && lines[end].startsWith("    ")) end++;
    return lines.slice(start, end).join("\n");
}

/** Everything tenant-specific that the stack of `id` delivers, rendered as the component does. */
function tenantObjects(id: string, spec: LimitsInput) {
    return {
        cortex: renderCortexOverrides(id, spec),
        loki: renderLokiOverrides(id, spec),
        datasources: renderDatasources({ clusterId: id, orgId: 7, gateway: GATEWAY }),
    };
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

    it("renders the Loki fragment, adding the deletion mode only when purge is on", () => {
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
        expect(renderLokiOverrides("abc123", { ...TENANT_A, purgeOnDestroy: true })).to.equal(
            `${expected}    deletion_mode: filter-and-delete\n`,
        );
    });

    it("quotes an all-digit cluster id so the merged YAML keeps it a string key", () => {
        const merged = parse(merge(new Map([["a", renderCortexOverrides("12345", TENANT_A)]])));
        expect(Object.keys(merged.overrides)).to.deep.equal(["12345"]);
    });

    it("reports every bad limit and retention at once", () => {
        const bad = {
            metricsLimits: { ...TENANT_A.metricsLimits, ingestionRate: -1, maxSeriesPerUser: 1.5 },
            logsLimits: { ...TENANT_A.logsLimits, ingestionRateMb: 0, perStreamRateLimit: "3 megabytes" },
            retention: { metrics: "2h", logs: "a week" },
        };
        expect(limitsProblems(bad)).to.deep.equal([
            "tenant.metricsLimits.ingestionRate must be a whole number >= 0 (0 means unlimited), got -1",
            "tenant.metricsLimits.maxSeriesPerUser must be a whole number >= 0 (0 means unlimited), got 1.5",
            "tenant.logsLimits.ingestionRateMb must be a number of MB > 0, got 0",
            'tenant.logsLimits.perStreamRateLimit must be a byte size such as "3MB", got "3 megabytes"',
            'tenant.retention.metrics must be at least 24h, got "2h"',
            'tenant.retention.logs must be a duration such as "5m" or "168h", got "a week"',
        ]);
        expect(limitsProblems(TENANT_A)).to.deep.equal([]);
    });

    it("two tenants: A's overrides, retention and datasources keep their bytes while B is added, changed and removed", () => {
        const a = tenantObjects("tenant-a", TENANT_A);
        const cortex = new Map([["mla-overrides-cortex-tenant-a", a.cortex]]);
        const loki = new Map([["mla-overrides-loki-tenant-a", a.loki]]);
        const before = { cortex: merge(cortex), loki: merge(loki) };

        const snapshots: { cortex: string; loki: string; datasources: string }[] = [];
        const stages: [string, LimitsInput | undefined][] = [
            ["added", { ...TENANT_A, retention: { metrics: "2160h", logs: "720h" } }],
            ["changed", { ...TENANT_A, metricsLimits: { ...TENANT_A.metricsLimits, ingestionRate: 99 }, purgeOnDestroy: true }],
            ["removed", undefined],
        ];
        for (const [stage, spec] of stages) {
            if (spec) {
                const b = tenantObjects("tenant-b", spec);
                cortex.set("mla-overrides-cortex-tenant-b", b.cortex);
                loki.set("mla-overrides-loki-tenant-b", b.loki);
            } else {
                cortex.delete("mla-overrides-cortex-tenant-b");
                loki.delete("mla-overrides-loki-tenant-b");
            }
            const merged = { cortex: merge(cortex), loki: merge(loki) };
            const parsed = { cortex: parse(merged.cortex).overrides, loki: parse(merged.loki).overrides };
            const tenants = spec ? ["tenant-a", "tenant-b"] : ["tenant-a"];
            expect(Object.keys(parsed.cortex), stage).to.deep.equal(tenants);
            expect(Object.keys(parsed.loki), stage).to.deep.equal(tenants);
            if (spec) {
                expect(parsed.cortex["tenant-b"].ingestion_rate, stage).to.equal(spec.metricsLimits.ingestionRate);
                expect(parsed.loki["tenant-b"].retention_period, stage).to.equal(spec.retention.logs);
            }
            expect(parsed.cortex["tenant-a"].compactor_blocks_retention_period, stage).to.equal("720h");
            snapshots.push({
                cortex: entryBytes(merged.cortex, "tenant-a"),
                loki: entryBytes(merged.loki, "tenant-a"),
                datasources: tenantObjects("tenant-a", TENANT_A).datasources,
            });
        }
        for (const snap of snapshots) {
            expect(snap.cortex).to.equal(entryBytes(before.cortex, "tenant-a"));
            expect(snap.loki).to.equal(entryBytes(before.loki, "tenant-a"));
            expect(snap.datasources).to.equal(a.datasources);
        }
        expect(merge(cortex)).to.equal(before.cortex);
        expect(merge(loki)).to.equal(before.loki);
    });
});
