import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import {
    CACHES,
    PROFILES,
    SIZED_CONTAINERS,
    SIZING_PROFILES,
    memcachedContainerMemory,
    resolveSizing,
} from "../../spec/seed-sizing";
import { ConfigReader, type ConfigSource } from "../../programs/config-reader";
import { loadSeedSettings } from "../../programs/seed-config";
import { PRODUCTION_DOC, productionConfig, yamlBlocks } from "../charts/production-doc";
import { type ResourceSpec } from "../../spec/cluster-spec";

function source(values: Record<string, unknown>, secrets: Record<string, string> = {}): ConfigSource {
    return {
        namespace: "mla",
        get: (key) => values[key],
        getSecret: (key) => (key in secrets ? pulumi.secret(secrets[key]) : undefined),
    };
}

/** Quantity to a number (cores or bytes) for ordering checks. */
function quantity(q: string): number {
    const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(q);
    if (!m) throw new Error(`not a quantity: ${q}`);
    const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2] as string] ?? 1;
    return Number(m[1]) * unit;
}

describe("sizing profiles", () => {
    it("size every container of every backend in every profile with CPU and memory requests", () => {
        for (const profile of SIZING_PROFILES) {
            for (const [backend, containers] of Object.entries(SIZED_CONTAINERS)) {
                const sized = PROFILES[profile].resources[backend as keyof typeof SIZED_CONTAINERS] as Record<
                    string,
                    ResourceSpec
                >;
                expect(Object.keys(sized).sort(), `${profile} ${backend}`).to.deep.equal([...containers].sort());
                for (const [c, spec] of Object.entries(sized)) {
                    expect(spec.requests?.cpu, `${profile} ${backend}.${c}`).to.be.a("string");
                    expect(spec.requests?.memory, `${profile} ${backend}.${c}`).to.be.a("string");
                }
            }
        }
    });

    it("never shrinks a request or a cache from small to medium to large", () => {
        const [small, medium, large] = SIZING_PROFILES.map((p) => PROFILES[p]);
        for (const [backend, containers] of Object.entries(SIZED_CONTAINERS)) {
            for (const c of containers) {
                const [s, m, l] = [small, medium, large].map(
                    (p) => (p.resources as Record<string, Record<string, ResourceSpec>>)[backend][c].requests!,
                );
                for (const k of ["cpu", "memory"] as const) {
                    expect(
                        quantity(s[k]!) <= quantity(m[k]!) && quantity(m[k]!) <= quantity(l[k]!),
                        `${backend}.${c} ${k}`,
                    ).to.equal(true);
                }
            }
        }
        for (const cache of CACHES)
            expect(
                small.caches[cache].memoryMiB <= medium.caches[cache].memoryMiB &&
                    medium.caches[cache].memoryMiB <= large.caches[cache].memoryMiB,
                cache,
            ).to.equal(true);
    });

    it("replaces a whole container block and one cache field on override, leaving the rest of the profile", () => {
        const s = resolveSizing("large", {
            resources: { cortex: { ingester: { requests: { cpu: "4", memory: "24Gi" } } } },
            caches: { lokiChunks: { memoryMiB: 16384 } },
        });
        expect(s.profile).to.equal("large");
        expect(s.resources.cortex.ingester).to.deep.equal({ requests: { cpu: "4", memory: "24Gi" } });
        expect(s.resources.cortex.querier).to.deep.equal(PROFILES.large.resources.cortex.querier);
        expect(s.caches.lokiChunks).to.deep.equal({ memoryMiB: 16384, cpu: "500m" });
        expect(resolveSizing()).to.deep.equal({ profile: "medium", ...PROFILES.medium });
    });

    it("gives a memcached container its object memory plus 20%", () => {
        expect([64, 1024, 2048, 8192].map(memcachedContainerMemory)).to.deep.equal([
            "77Mi",
            "1229Mi",
            "2458Mi",
            "9831Mi",
        ]);
    });
});

describe("seed config: sizing and Grafana's state", () => {
    it("reads a profile with container and cache overrides", () => {
        const settings = loadSeedSettings(
            new ConfigReader(
                source({
                    sizing: {
                        profile: "small",
                        resources: { grafana: { sidecar: { requests: { cpu: "5m", memory: "64Mi" } } } },
                        caches: { cortexBlocks: { cpu: "1" } },
                    },
                }),
            ),
        );
        expect(settings.plan.sizing.profile).to.equal("small");
        expect(settings.plan.sizing.resources.grafana.sidecar).to.deep.equal({
            requests: { cpu: "5m", memory: "64Mi" },
        });
        expect(settings.plan.sizing.caches.cortexBlocks).to.deep.equal({ memoryMiB: 256, cpu: "1" });
    });

    it("names every sizing mistake and every moved resources key", () => {
        const broken = source({
            sizing: {
                profile: "huge",
                resources: { tempo: {}, cortex: { nginx: {}, ingester: { requests: { cpu: "lots" } } } },
                caches: { redis: {}, lokiChunks: { memoryMiB: 1 } },
                limits: {},
            },
            cortex: { resources: { ingester: { requests: { cpu: "1" } } } },
            grafana: { resources: { requests: { cpu: "1" } } },
        });
        expect(() => loadSeedSettings(new ConfigReader(broken))).to.throw(
            "9 problems in stack config: " +
                'mla:cortex.resources moved to mla:sizing.resources.cortex.<component> (see docs/seed-production.md, "Sizing"); ' +
                'mla:grafana.resources moved to mla:sizing.resources.grafana.grafana (see docs/seed-production.md, "Sizing"); ' +
                'mla:sizing.profile must be one of small, medium, large, got "huge"; ' +
                'mla:sizing.resources.cortex.ingester.requests.cpu must be a CPU quantity like 100m or 1, got "lots"; ' +
                "mla:sizing.resources.cortex.nginx is not a known setting (known: distributor, ingester, querier, queryFrontend, storeGateway, ruler, alertmanager, compactor, purger, sidecar, memcachedExporter); " +
                "mla:sizing.resources.tempo is not a known setting (known: cortex, loki, grafana, minio, overridesMerger); " +
                "mla:sizing.caches.lokiChunks.memoryMiB must be a whole number >= 16, got 1; " +
                "mla:sizing.caches.redis is not a known setting (known: cortexFrontend, cortexBlocksIndex, cortexBlocks, cortexBlocksMetadata, lokiChunks, lokiResults); " +
                "mla:sizing.limits is not a known setting (known: profile, resources, caches)",
        );
    });

    it("reads an external Grafana database, whose password stays in its Secret", () => {
        const settings = loadSeedSettings(
            new ConfigReader(
                source({
                    grafana: {
                        replicas: 3,
                        database: {
                            type: "postgres",
                            host: "db:5432",
                            name: "grafana",
                            user: "g",
                            passwordSecret: { name: "grafana-db", key: "password" },
                        },
                    },
                }),
            ),
        );
        expect(settings.plan.grafana.replicas).to.equal(3);
        expect(settings.plan.grafana.database).to.deep.equal({
            type: "postgres",
            host: "db:5432",
            name: "grafana",
            user: "g",
            passwordSecret: { name: "grafana-db", key: "password" },
            sslMode: undefined,
        });
    });

    it("refuses two Grafana replicas without a database, and an incomplete database", () => {
        expect(() => loadSeedSettings(new ConfigReader(source({ grafana: { replicas: 2 } })))).to.throw(
            "1 problem in stack config: mla:grafana.replicas is 2, but more than one replica needs grafana.database (PostgreSQL or MySQL); SQLite on a volume serves one replica",
        );
        expect(() =>
            loadSeedSettings(
                new ConfigReader(
                    source({ grafana: { database: { type: "sqlite3", host: "postgres://db", password: "x" } } }),
                ),
            ),
        ).to.throw(
            "6 problems in stack config: " +
                'mla:grafana.database.type must be one of postgres, mysql, got "sqlite3"; ' +
                'mla:grafana.database.host must be host[:port] without a scheme, got "postgres://db"; ' +
                "mla:grafana.database.name is required; " +
                "mla:grafana.database.user is required; " +
                "mla:grafana.database.passwordSecret is required; " +
                "mla:grafana.database.password is not a known setting (known: type, host, name, user, passwordSecret, sslMode); the password belongs in a Secret named by passwordSecret",
        );
    });
});

describe("docs/seed-production.md", () => {
    const text = readFileSync(PRODUCTION_DOC, "utf8");

    it("shows a production config the seed loader accepts: external S3, PostgreSQL for Grafana, large sizing", () => {
        const settings = loadSeedSettings(
            new ConfigReader(source(productionConfig(), { s3AccessKeyId: "AKIA", s3SecretAccessKey: "x" })),
        );
        const { plan } = settings;
        expect(plan.objectStore.kind).to.equal("s3");
        expect(plan.sizing.profile).to.equal("large");
        expect(plan.grafana.database?.type).to.equal("postgres");
        expect(plan.grafana.replicas).to.be.greaterThan(1);
        expect(plan.grafana.oauth?.orgMapping).to.deep.equal({
            shop: { "shop-developers": "Editor", "shop-support": "Viewer" },
            payments: { "payments-team": "Editor" },
        });
    });

    it("lists every container's requests exactly as the profiles define them", () => {
        const fmt = (r: ResourceSpec) =>
            `${r.requests!.cpu} / ${r.requests!.memory}${r.limits?.memory ? ` (limit ${r.limits.memory})` : ""}`;
        for (const [backend, containers] of Object.entries(SIZED_CONTAINERS)) {
            for (const c of containers) {
                const cells = SIZING_PROFILES.map((p) =>
                    fmt((PROFILES[p].resources as Record<string, Record<string, ResourceSpec>>)[backend][c]),
                );
                expect(text, `${backend}.${c}`).to.contain(`| \`${backend}.${c}\` | ${cells.join(" | ")} |`);
            }
        }
        for (const cache of CACHES) {
            const cells = SIZING_PROFILES.map(
                (p) => `${PROFILES[p].caches[cache].memoryMiB} MiB, ${PROFILES[p].caches[cache].cpu}`,
            );
            expect(text, cache).to.contain(`| \`${cache}\` | ${cells.join(" | ")} |`);
        }
    });

    it("shows a sizing override the loader accepts", () => {
        const block = yamlBlocks().find((b) => b.includes("mla:sizing:") && !b.includes("config:"))!;
        const config = parse(block) as Record<string, unknown>;
        const settings = loadSeedSettings(new ConfigReader(source({ sizing: config["mla:sizing"] })));
        expect(settings.plan.sizing.resources.cortex.ingester.limits).to.deep.equal({ memory: "32Gi" });
        expect(settings.plan.sizing.caches.lokiChunks.memoryMiB).to.equal(16384);
    });
});
