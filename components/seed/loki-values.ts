/**
 * Helm values for the unified Loki chart in distributed mode: multi-tenant, chunks on S3, the
 * ruler sending to the Cortex Alertmanager with rules from the sidecar, retention by the compactor.
 */
import { SEED_CHARTS } from "./charts";
import { S3_ENV, SEED_OBJECT_NAMES, objectStoreEndpoint } from "./seed-plan";
import type { CacheSize } from "../../spec/seed-sizing";
import { seedEndpoints } from "./service-names";
import { SIDECAR_FOLDER_ANNOTATION, TENANT_DELIVERY_CONVENTIONS, onlyLabel } from "../../spec/tenant-delivery";
import { type ResourceSpec } from "../../spec/cluster-spec";
import { type SeedPlan, type LokiReplicas } from "../../spec/seed-plan";

/** The rules sidecar's folder; tenant rules land in `<folder>/<tenant>/`, the ruler's local store. */
export const LOKI_RULES_DIR = "/rules";
/** Where the merger's runtime-config ConfigMap is mounted in every Loki pod. */
export const LOKI_RUNTIME_DIR = "/etc/loki/mla-runtime";

/** Chart value keys of the Loki components, by plan name. */
const COMPONENT_KEYS: Record<keyof LokiReplicas, string> = {
    distributor: "distributor",
    ingester: "ingester",
    querier: "querier",
    queryFrontend: "queryFrontend",
    queryScheduler: "queryScheduler",
    indexGateway: "indexGateway",
    ruler: "ruler",
    compactor: "compactor",
};

function component(replicas: number, resources: ResourceSpec): Record<string, unknown> {
    return { replicas, resources };
}

/**
 * A memcached cache: the chart derives the container's memory request and limit from
 * `allocatedMemory` (+20%) and its CPU request from `allocatedCPU` (templates/memcached/_memcached-statefulset.tpl).
 */
function cache(size: CacheSize): Record<string, unknown> {
    return { allocatedMemory: size.memoryMiB, allocatedCPU: size.cpu };
}

/** The values passed to the Loki chart. */
export function lokiValues(plan: SeedPlan): Record<string, unknown> {
    const endpoints = seedEndpoints(SEED_CHARTS, plan.namespace);
    const s3 = objectStoreEndpoint(plan, endpoints.minioEndpoint);
    const [ruleLabel, ruleLabelValue] = onlyLabel(TENANT_DELIVERY_CONVENTIONS.logRules.labels);
    const components: Record<string, Record<string, unknown>> = {};
    for (const [name, key] of Object.entries(COMPONENT_KEYS) as [keyof LokiReplicas, string][]) {
        components[key] = component(plan.loki.replicas[name], plan.sizing.resources.loki[name]);
    }
    components.ruler.sidecar = true;
    // On PVCs, not the chart's emptyDirs: the ingesters' WAL (lost with a node otherwise), and the
    // compactor's working directory, where retention keeps its marker files until the marked chunks
    // are deleted (on an emptyDir, a restart forgets them and the chunks stay in the bucket).
    components.ingester.persistence = { enabled: true };
    components.compactor.persistence = { enabled: true };
    return {
        deploymentMode: "Distributed",
        loki: {
            auth_enabled: true,
            commonConfig: { replication_factor: plan.loki.replicationFactor },
            schemaConfig: {
                configs: [
                    {
                        from: "2024-04-01",
                        store: "tsdb",
                        object_store: "s3",
                        schema: "v13",
                        index: { prefix: "loki_index_", period: "24h" },
                    },
                ],
            },
            storage: {
                type: "s3",
                // The ruler bucket is required by the chart's helper only for an S3 rule store; ours is local.
                bucketNames: { chunks: plan.buckets.logs },
                s3: {
                    endpoint: s3.endpoint,
                    region: s3.region,
                    accessKeyId: `\${${S3_ENV.accessKeyId}}`,
                    secretAccessKey: `\${${S3_ENV.secretAccessKey}}`,
                    s3ForcePathStyle: true,
                    insecure: s3.insecure,
                },
            },
            rulerConfig: {
                // Local store layout: `<directory>/<tenant>/<file>` (grafana/loki
                // pkg/ruler/rulestore/local/local.go), which the folder annotation produces. The
                // ruler's own temp `rule_path` defaults to `<path_prefix>/rules-temp`, not this folder.
                storage: { type: "local", local: { directory: LOKI_RULES_DIR } },
                alertmanager_url: endpoints.alertmanagerUrl,
                enable_api: true,
                enable_sharding: plan.loki.replicas.ruler > 1,
            },
            compactor: {
                retention_enabled: true,
                delete_request_store: "s3",
                working_directory: "/var/loki/compactor",
            },
            limits_config: {
                retention_period: plan.loki.retention,
                // The compactor's delete API refuses a tenant whose deletion mode is "disabled".
                // Set for every tenant here, so a purge works without waiting for the tenant's
                // overrides fragment to be merged and reloaded first.
                deletion_mode: "filter-and-delete",
            },
            // The merger writes per-tenant limits into our ConfigMap; the chart's own runtime
            // ConfigMap stays empty and unused.
            structuredConfig: {
                runtime_config: { file: `${LOKI_RUNTIME_DIR}/${SEED_OBJECT_NAMES.lokiRuntimeKey}` },
            },
        },
        // Chart 18.x concatenates `global.*`, `defaults.*` and the component's own lists into every
        // Loki pod (values.yaml `defaults`: scope covers all distributed components, ruler included).
        // The chart already passes -config.expand-env=true; repeating a Go bool flag is harmless and
        // keeps the `${S3_...}` expansion explicit.
        defaults: {
            extraArgs: ["-config.expand-env=true"],
            extraEnvFrom: [{ secretRef: { name: SEED_OBJECT_NAMES.s3Secret } }],
            extraVolumes: [{ name: "mla-runtime", configMap: { name: SEED_OBJECT_NAMES.lokiRuntimeConfigMap } }],
            extraVolumeMounts: [{ name: "mla-runtime", mountPath: LOKI_RUNTIME_DIR, readOnly: true }],
        },
        sidecar: {
            rules: {
                enabled: true,
                label: ruleLabel,
                labelValue: ruleLabelValue,
                folder: LOKI_RULES_DIR,
                folderAnnotation: SIDECAR_FOLDER_ANNOTATION,
                searchNamespace: plan.namespace,
                resource: "configmap",
            },
            // The chart's default sidecar securityContext is already restricted.
            resources: plan.sizing.resources.loki.sidecar,
        },
        chunksCache: cache(plan.sizing.caches.lokiChunks),
        resultsCache: cache(plan.sizing.caches.lokiResults),
        memcachedExporter: { resources: plan.sizing.resources.loki.memcachedExporter },
        ...components,
        // Other deployment modes off.
        backend: { replicas: 0 },
        read: { replicas: 0 },
        write: { replicas: 0 },
        singleBinary: { replicas: 0 },
        // Our per-cluster MLA gateways are the entry point; the object store is ours too.
        gateway: { enabled: false },
        minio: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
    };
}
