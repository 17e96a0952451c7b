/**
 * The names a seed's objects share with its charts (pure): Secrets and ConfigMaps the charts
 * reference, the environment variables Cortex and Loki expand, and the object store's endpoint.
 * The plan itself is the spec's (`spec/seed-plan.ts`).
 */
import type { SeedPlan } from "../../spec/seed-plan";

/** Names of the Secrets and ConfigMaps the seed creates and the charts reference. */
export const SEED_OBJECT_NAMES = {
    /** S3 credentials: `S3_ACCESS_KEY_ID`/`S3_SECRET_ACCESS_KEY` (env) and `rootUser`/`rootPassword` (MinIO). */
    s3Secret: "mla-s3-credentials",
    /** Grafana admin user and password (`admin-user`, `admin-password`). */
    grafanaAdminSecret: "grafana-admin",
    /** Cortex runtime config; the chart mounts `<fullname>-runtime-config` by name. */
    cortexRuntimeConfigMap: "cortex-runtime-config",
    cortexRuntimeKey: "runtime_config.yaml",
    /** Loki runtime config written by the merger, mounted into every Loki pod. */
    lokiRuntimeConfigMap: "loki-mla-runtime",
    lokiRuntimeKey: "runtime-config.yaml",
} as const;

/** The environment variables Cortex and Loki expand (`-config.expand-env=true`) into their S3 config. */
export const S3_ENV = { accessKeyId: "S3_ACCESS_KEY_ID", secretAccessKey: "S3_SECRET_ACCESS_KEY" } as const;

/** The S3 endpoint (`host:port`) and whether it is plain HTTP, for the bundled or the external store. */
export function objectStoreEndpoint(
    plan: SeedPlan,
    minioEndpoint: string,
): { endpoint: string; insecure: boolean; region: string } {
    return plan.objectStore.kind === "minio"
        ? { endpoint: minioEndpoint, insecure: true, region: "us-east-1" }
        : { endpoint: plan.objectStore.endpoint, insecure: plan.objectStore.insecure, region: plan.objectStore.region };
}
