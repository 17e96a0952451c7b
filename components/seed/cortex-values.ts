/**
 * Helm values for the Cortex chart: multi-tenant blocks storage on S3, the Alertmanager and ruler
 * with their APIs, tenant configs and rules through the chart's sidecars, HA replica counts.
 */
import { SEED_CHARTS } from "./charts";
import { S3_ENV, SEED_OBJECT_NAMES, objectStoreEndpoint } from "./seed-plan";
import { type CacheName, memcachedResources } from "../../spec/seed-sizing";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../common/pod-security";
import { receiverFirewallLimits } from "./receiver-firewall";
import { CORTEX_ALERTMANAGER_PREFIX, seedEndpoints } from "./service-names";
import { TENANT_DELIVERY_CONVENTIONS, SIDECAR_FOLDER_ANNOTATION, onlyLabel } from "../../spec/tenant-delivery";
import { type ResourceSpec } from "../../spec/cluster-spec";
import { type SeedPlan } from "../../spec/seed-plan";

/**
 * Where the Alertmanager sidecar writes `<tenant>.yaml`; the `local` store walks the same folder and
 * takes the file name without extension as the tenant (Cortex pkg/alertmanager/alertstore/local/store.go).
 */
export const CORTEX_ALERTMANAGER_CONFIG_DIR = "/data/alertmanager-configs";
/** Where the ruler sidecar writes `<tenant>/<file>.yaml`; the `local` rule store reads the same folder. */
export const CORTEX_RULES_DIR = "/data/rules";

/** Chart value keys of the Cortex components, by plan name. */
const COMPONENT_KEYS = {
    distributor: "distributor",
    ingester: "ingester",
    querier: "querier",
    queryFrontend: "query_frontend",
    storeGateway: "store_gateway",
    ruler: "ruler",
    alertmanager: "alertmanager",
    compactor: "compactor",
} as const;

/**
 * The uid every Cortex pod runs as. The Cortex image sets no USER (it would run as root), and
 * the k8s-sidecar image runs as 65534 (kiwigrid/k8s-sidecar Dockerfile): one uid and fsGroup for
 * both keeps the shared `/data` volume writable by each.
 */
export const CORTEX_UID = 65534;

/** Pod security context in the chart's shape (`enabled` plus the fields), restricted. */
function podSecurity(): Record<string, unknown> {
    return { enabled: true, ...restrictedPodSecurity(CORTEX_UID) };
}

/** Container security context in the chart's shape, restricted (read-only root, as the chart's default). */
function containerSecurity(): Record<string, unknown> {
    return { enabled: true, ...restrictedContainerSecurity() };
}

/** The chart's memcached subcharts, by cache. */
const MEMCACHED_KEYS = {
    "memcached-frontend": "cortexFrontend",
    "memcached-blocks-index": "cortexBlocksIndex",
    "memcached-blocks": "cortexBlocks",
    "memcached-blocks-metadata": "cortexBlocksMetadata",
} as const satisfies Record<string, CacheName>;

/**
 * One memcached subchart: object memory (`-m`, in MiB) and matching container resources. The
 * Bitnami chart already runs memcached and its exporter as uid 1001 with every restricted field.
 */
function memcached(plan: SeedPlan, cache: CacheName): Record<string, unknown> {
    const size = plan.sizing.caches[cache];
    return {
        args: [`-m ${size.memoryMiB}`],
        resources: memcachedResources(size),
        metrics: { resources: plan.sizing.resources.cortex.memcachedExporter },
    };
}

/**
 * The sidecar settings shared by the Alertmanager and ruler sidecars. Enabling either sidecar makes
 * the chart bind a ClusterRole (get/list/watch ConfigMaps and Secrets) to its ServiceAccount
 * (templates/clusterrole.yaml, clusterrolebinding.yaml). k8s-sidecar joins a relative folder
 * annotation onto FOLDER (kiwigrid/k8s-sidecar src/resources.py), so `<clusterId>` lands in
 * `<folder>/<clusterId>/`: the `<dir>/<tenant>/<file>` layout of Cortex's local rule store.
 * `resource` is the kind the sidecar watches: tenant Alertmanager configs hold receiver
 * credentials and arrive as Secrets; rules arrive as ConfigMaps.
 */
function sidecar(
    labels: Readonly<Record<string, string>>,
    folder: string,
    plan: SeedPlan,
    resource: "configmap" | "secret",
) {
    const [label, labelValue] = onlyLabel(labels);
    const namespace = plan.namespace;
    return {
        enabled: true,
        label,
        labelValue,
        folder,
        folderAnnotation: SIDECAR_FOLDER_ANNOTATION,
        searchNamespace: namespace,
        resource,
        resources: plan.sizing.resources.cortex.sidecar,
        containerSecurityContext: containerSecurity(),
    };
}

/** S3 credentials reach each pod as env from the Secret, and Cortex expands `${VAR}` in its config. */
function credentialEnv() {
    return Object.values(S3_ENV).map((name) => ({
        name,
        valueFrom: { secretKeyRef: { name: SEED_OBJECT_NAMES.s3Secret, key: name } },
    }));
}

/** Per-component values: replicas, resources, restricted pods, the S3 env and env expansion. */
function component(replicas: number, resources: ResourceSpec): Record<string, unknown> {
    return {
        replicas,
        resources,
        securityContext: podSecurity(),
        containerSecurityContext: containerSecurity(),
        env: credentialEnv(),
        extraArgs: { "config.expand-env": "true" },
    };
}

/**
 * Each Cortex ingester's volume: the TSDB head and WAL of every tenant it holds. Not sized by a
 * measurement here; the chart's 2Gi default is for its demo, Loki's chart asks 10Gi per ingester.
 */
export const INGESTER_VOLUME_SIZE = "10Gi";

/** The values passed to the Cortex chart. */
export function cortexValues(plan: SeedPlan): Record<string, unknown> {
    const endpoints = seedEndpoints(SEED_CHARTS, plan.namespace);
    const s3 = objectStoreEndpoint(plan, endpoints.minioEndpoint);
    const rf = plan.cortex.replicationFactor;
    const components: Record<string, unknown> = {};
    for (const [name, key] of Object.entries(COMPONENT_KEYS) as [keyof typeof COMPONENT_KEYS, string][]) {
        components[key] = component(plan.cortex.replicas[name], plan.sizing.resources.cortex[name]);
    }
    // The ingesters' TSDB head and WAL (`/data/tsdb`: every tenant's samples not yet shipped to the
    // object store, up to two or three hours of them) on a PVC: the chart's default, a Deployment
    // with an emptyDir, lost them whenever every ingester was replaced, as a seed config change does.
    const ingester = components.ingester as Record<string, unknown>;
    ingester.statefulSet = { enabled: true };
    ingester.persistentVolume = { enabled: true, size: INGESTER_VOLUME_SIZE };
    const alertmanager = components.alertmanager as Record<string, unknown>;
    // A StatefulSet gives the replicas the headless Service their gossip peering resolves.
    alertmanager.statefulSet = { enabled: true };
    // The chart mounts the `storage` volume at /data into the sidecar and Alertmanager; the pod's
    // fsGroup (CORTEX_UID, set by `component`) makes the PVC writable for both, so silences and
    // the notification log stay on disk across restarts.
    alertmanager.sidecar = sidecar(
        TENANT_DELIVERY_CONVENTIONS.alertmanagerConfig.labels,
        CORTEX_ALERTMANAGER_CONFIG_DIR,
        plan,
        // Only Secrets: a labelled ConfigMap (which more people may write) cannot inject a tenant's config.
        "secret",
    );
    (components.ruler as Record<string, unknown>).sidecar = sidecar(
        TENANT_DELIVERY_CONVENTIONS.metricRules.labels,
        CORTEX_RULES_DIR,
        plan,
        "configmap",
    );
    return {
        config: {
            auth_enabled: true,
            ingester: { lifecycler: { ring: { replication_factor: rf } } },
            distributor: {
                // The ingesters turn `max_global_series_*` into per-ingester limits only when series
                // are sharded by all labels (Cortex pkg/ingester/limiter.go); the chart default, pinned.
                shard_by_all_labels: true,
                // The global rate strategy divides `ingestion_rate` by the distributors in this ring;
                // its KV store defaults to consul (Cortex pkg/distributor/distributor.go).
                ring: { kvstore: { store: "memberlist" } },
            },
            // Tenant limits are cluster-wide: without this each distributor allows the full rate.
            // The receiver firewall is a default of every tenant; tenant overrides never set it.
            limits: {
                ingestion_rate_strategy: "global",
                ...receiverFirewallLimits(plan.receiverFirewall.blockCidrNetworks),
            },
            blocks_storage: {
                backend: "s3",
                s3: {
                    endpoint: s3.endpoint,
                    region: s3.region,
                    bucket_name: plan.buckets.metrics,
                    insecure: s3.insecure,
                    access_key_id: `\${${S3_ENV.accessKeyId}}`,
                    secret_access_key: `\${${S3_ENV.secretAccessKey}}`,
                },
            },
            // Rules and Alertmanager configs arrive declaratively through the sidecars, so both
            // stores are local folders; the object store holds blocks only.
            ruler_storage: { backend: "local", local: { directory: CORTEX_RULES_DIR } },
            ruler: {
                enable_api: true,
                enable_sharding: plan.cortex.replicas.ruler > 1,
                ring: { kvstore: { store: "memberlist" } },
                alertmanager_url: endpoints.alertmanagerUrl,
            },
            alertmanager_storage: { backend: "local", local: { path: CORTEX_ALERTMANAGER_CONFIG_DIR } },
            alertmanager: {
                enable_api: true,
                external_url: CORTEX_ALERTMANAGER_PREFIX,
                data_dir: "/data/alertmanager",
                // Cortex rejects the `local` store with sharding; HA comes from gossip between the
                // replicas instead (every replica runs every tenant and they dedupe notifications).
                sharding_enabled: false,
                cluster: {
                    listen_address: "0.0.0.0:9094",
                    peers: plan.cortex.replicas.alertmanager > 1 ? endpoints.alertmanagerPeers : "",
                },
            },
        },
        // `/purger/delete_tenant` is served only by `-target=purger` (or `all`) in Cortex 1.21
        // (pkg/cortex/modules.go: Purger -> TenantDeletion); the chart's purger is off by default.
        // It reads blocks storage, so it needs the S3 env like every other component.
        purger: { enabled: true, ...component(1, plan.sizing.resources.cortex.purger) },
        // The seed owns this ConfigMap (the overrides merger writes it), so the chart must not.
        runtimeconfigmap: { create: false },
        // Our per-cluster gateways are the entry point; the chart's nginx would be a second one.
        nginx: { enabled: false },
        ...components,
        ...Object.fromEntries(Object.entries(MEMCACHED_KEYS).map(([key, cache]) => [key, memcached(plan, cache)])),
    };
}
