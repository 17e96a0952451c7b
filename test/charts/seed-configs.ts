/**
 * The seed configs the chart suite renders, written as stack config (`mla:*` keys) and loaded by
 * the seed stack's own loader, so each plan is exactly what `pulumi up` would build from them.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader } from "../../programs/config-reader";
import { loadSeedSettings } from "../../programs/seed-config";
import { productionConfig } from "./production-doc";
import { type SeedPlan } from "../../spec/seed-plan";

/** One seed config of the suite. */
export interface SeedConfigCase {
    /** What the config stands for, as the test titles say it. */
    title: string;
    /** The stack config, without the `mla:` prefix. */
    config: Record<string, unknown>;
}

/** External S3 credentials: read as secrets by the loader, never part of the plan or the values. */
const S3_SECRETS = { s3AccessKeyId: "AKIA-CHART-SUITE", s3SecretAccessKey: "chart-suite-secret-key" };

/**
 * The configs: the five the design needs, a small one with standalone MinIO and MySQL, and the
 * production config of docs/seed-production.md.
 */
export const SEED_CONFIG_CASES: SeedConfigCase[] = [
    { title: "bundled MinIO (defaults)", config: {} },
    {
        title: "external S3",
        config: { objectStore: { type: "s3", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1" } },
    },
    {
        title: "another namespace, Grafana in its own",
        config: {
            namespace: "observability",
            grafana: { namespace: "grafana-ui", persistence: { size: "20Gi", storageClass: "fast" } },
        },
    },
    {
        title: "HA Grafana with an external PostgreSQL",
        config: {
            objectStore: { type: "s3", endpoint: "minio.storage.svc:9000", insecure: true },
            grafana: {
                replicas: 3,
                rootUrl: "https://grafana.seed.example.com",
                database: {
                    type: "postgres",
                    host: "grafana-db.databases.svc:5432",
                    name: "grafana",
                    user: "grafana",
                    passwordSecret: { name: "grafana-db", key: "password" },
                    sslMode: "require",
                },
            },
        },
    },
    {
        title: "large sizing with overrides",
        config: {
            sizing: {
                profile: "large",
                resources: {
                    cortex: { ingester: { requests: { cpu: "4", memory: "24Gi" }, limits: { memory: "32Gi" } } },
                },
                caches: { lokiChunks: { memoryMiB: 16384 } },
            },
            cortex: { replicas: { ingester: 6, querier: 4, distributor: 3 } },
            loki: { replicas: { ingester: 6, querier: 6 } },
        },
    },
    {
        title: "small sizing, standalone MinIO, Grafana on MySQL with two replicas",
        config: {
            sizing: { profile: "small" },
            objectStore: { minio: { mode: "standalone", replicas: 1, volumeSize: "10Gi" } },
            grafana: {
                replicas: 2,
                database: {
                    type: "mysql",
                    host: "mysql.databases.svc",
                    name: "grafana",
                    user: "grafana",
                    passwordSecret: { name: "grafana-db", key: "pw" },
                },
            },
        },
    },
    { title: "production (docs/seed-production.md)", config: productionConfig() },
];

/** The plan the seed stack builds from a case's config (throws the loader's error if the config is wrong). */
export function planOf(c: SeedConfigCase): SeedPlan {
    const secrets: Record<string, string> =
        c.config.objectStore && (c.config.objectStore as { type?: string }).type === "s3" ? S3_SECRETS : {};
    const reader = new ConfigReader({
        namespace: "mla",
        get: (key) => c.config[key],
        getSecret: (key) => (key in secrets ? pulumi.secret(secrets[key]) : undefined),
    });
    return loadSeedSettings(reader).plan;
}
