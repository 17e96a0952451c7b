import { expect } from "chai";
import { cortexValues } from "../../components/seed/cortex-values";
import { grafanaValues } from "../../components/seed/grafana-values";
import { lokiValues } from "../../components/seed/loki-values";
import { minioValues } from "../../components/seed/minio-values";
import { SEED_CHARTS } from "../../components/seed/charts";
import { SEED_OBJECT_NAMES } from "../../components/seed/seed-plan";
import { helmFullname, seedEndpoints } from "../../components/seed/service-names";
import { defaultSeedPlan, type MinioPlan, type SeedPlan } from "../../spec/seed-plan";

/** The value at a dotted path (keys containing dots are not used here). */
function at(values: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);
}

function plan(edit: (p: SeedPlan) => void = () => {}): SeedPlan {
    const p = defaultSeedPlan();
    edit(p);
    return p;
}

describe("helm fullname and seed endpoints", () => {
    const cases: [string, string, string][] = [
        ["cortex", "cortex", "cortex"],
        ["cortex", "mla-cortex", "mla-cortex"],
        ["cortex", "metrics", "metrics-cortex"],
        ["loki", "loki", "loki"],
    ];
    for (const [chart, release, expected] of cases) {
        it(`names release "${release}" of chart ${chart} "${expected}"`, () => {
            expect(helmFullname({ chart, releaseName: release })).to.equal(expected);
        });
    }
    it("derives service URLs from release names and namespace", () => {
        const e = seedEndpoints({ ...SEED_CHARTS, cortex: { chart: "cortex", releaseName: "metrics" } }, "obs", "ui");
        expect(e.metricsPushUrl).to.equal("http://metrics-cortex-distributor.obs.svc.cluster.local:8080/api/v1/push");
        expect(e.alertmanagerPeers).to.equal("metrics-cortex-alertmanager-headless.obs.svc.cluster.local:9094");
        expect(e.logsQueryUrl).to.equal("http://loki-query-frontend.obs.svc.cluster.local:3100");
        expect(e.grafanaUrl).to.equal("http://grafana.ui.svc.cluster.local");
    });
    it("points purge calls at the Cortex purger and the Loki compactor Services", () => {
        const e = seedEndpoints(SEED_CHARTS, "mla");
        expect(e.metricsPurgerUrl).to.equal("http://cortex-purger.mla.svc.cluster.local:8080");
        expect(e.logsCompactorUrl).to.equal("http://loki-compactor.mla.svc.cluster.local:3100");
    });
    it("sends alerts to the path prefix the Cortex Alertmanager serves tenants under", () => {
        // external_url's path, reachable through the legacy /api/prom prefix; not /alertmanager.
        expect(seedEndpoints(SEED_CHARTS, "mla").alertmanagerUrl).to.equal(
            "http://cortex-alertmanager.mla.svc.cluster.local:8080/api/prom/alertmanager",
        );
        expect(at(cortexValues(plan()), "config.alertmanager.external_url")).to.equal("/api/prom/alertmanager");
    });
    it("names the Cortex runtime ConfigMap as the chart mounts it", () => {
        expect(SEED_OBJECT_NAMES.cortexRuntimeConfigMap).to.equal(`${helmFullname(SEED_CHARTS.cortex)}-runtime-config`);
    });
});

describe("cortex values", () => {
    const table: [string, SeedPlan, Record<string, unknown>][] = [
        [
            "defaults: multi-tenant, HA, local rule and alertmanager stores fed by sidecars",
            plan(),
            {
                "config.auth_enabled": true,
                "config.ingester.lifecycler.ring.replication_factor": 3,
                "config.blocks_storage.backend": "s3",
                "config.blocks_storage.s3.bucket_name": "mla-metrics",
                "config.blocks_storage.s3.insecure": true,
                "config.ruler_storage": { backend: "local", local: { directory: "/data/rules" } },
                "config.alertmanager_storage": { backend: "local", local: { path: "/data/alertmanager-configs" } },
                "config.alertmanager.sharding_enabled": false,
                "config.alertmanager.cluster.peers": "cortex-alertmanager-headless.mla.svc.cluster.local:9094",
                "config.ruler.enable_sharding": true,
                "alertmanager.replicas": 3,
                "alertmanager.statefulSet.enabled": true,
                // Restricted pods; fsGroup lets the uid-65534 sidecar write the tenant configs onto the PVC.
                "alertmanager.securityContext": {
                    enabled: true,
                    runAsNonRoot: true,
                    runAsUser: 65534,
                    runAsGroup: 65534,
                    fsGroup: 65534,
                    seccompProfile: { type: "RuntimeDefault" },
                },
                "ruler.sidecar.containerSecurityContext": {
                    enabled: true,
                    runAsNonRoot: true,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                },
                "config.alertmanager.data_dir": "/data/alertmanager",
                // Global series limits need sharding by all labels; global rates need the distributor ring.
                "config.distributor.shard_by_all_labels": true,
                "config.distributor.ring.kvstore.store": "memberlist",
                "config.limits.ingestion_rate_strategy": "global",
                // The tenant-deletion API lives only in the purger target.
                "purger.enabled": true,
                "purger.replicas": 1,
                "purger.extraArgs": { "config.expand-env": "true" },
                "purger.env": [
                    {
                        name: "S3_ACCESS_KEY_ID",
                        valueFrom: { secretKeyRef: { name: "mla-s3-credentials", key: "S3_ACCESS_KEY_ID" } },
                    },
                    {
                        name: "S3_SECRET_ACCESS_KEY",
                        valueFrom: { secretKeyRef: { name: "mla-s3-credentials", key: "S3_SECRET_ACCESS_KEY" } },
                    },
                ],
                "ruler.extraArgs": { "config.expand-env": "true" },
                "config.runtime_config.file": undefined,
                "alertmanager.sidecar": {
                    enabled: true,
                    label: "cortex_alertmanager",
                    labelValue: "1",
                    folder: "/data/alertmanager-configs",
                    folderAnnotation: "k8s-sidecar-target-directory",
                    searchNamespace: "mla",
                    // Tenant Alertmanager configs are Secrets (receiver credentials).
                    resource: "secret",
                    resources: { requests: { cpu: "20m", memory: "96Mi" }, limits: { memory: "256Mi" } },
                    containerSecurityContext: {
                        enabled: true,
                        runAsNonRoot: true,
                        allowPrivilegeEscalation: false,
                        readOnlyRootFilesystem: true,
                        capabilities: { drop: ["ALL"] },
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                },
                "ruler.sidecar.resource": "configmap",
                "ruler.sidecar.label": "cortex_rules",
                "ruler.sidecar.folder": "/data/rules",
                "ruler.replicas": 2,
                "distributor.replicas": 2,
                "ingester.replicas": 3,
                "querier.replicas": 2,
                "query_frontend.replicas": 2,
                "store_gateway.replicas": 2,
                "compactor.replicas": 1,
                "runtimeconfigmap.create": false,
                "nginx.enabled": false,
                // The default (medium) sizing.
                "ingester.resources": { requests: { cpu: "1", memory: "4Gi" } },
                "memcached-blocks.args": ["-m 2048"],
                "memcached-blocks.resources": {
                    requests: { cpu: "100m", memory: "2458Mi" },
                    limits: { memory: "2458Mi" },
                },
            },
        ],
        [
            "single replicas: no gossip peers, no ruler sharding; resources passed through",
            plan((p) => {
                p.cortex.replicas.alertmanager = 1;
                p.cortex.replicas.ruler = 1;
                p.sizing.resources.cortex.ingester = { limits: { memory: "8Gi" } };
            }),
            {
                "config.alertmanager.cluster.peers": "",
                "config.ruler.enable_sharding": false,
                "ingester.resources": { limits: { memory: "8Gi" } },
            },
        ],
        [
            "external S3: endpoint, region and TLS from the plan",
            plan(
                (p) =>
                    (p.objectStore = {
                        kind: "s3",
                        endpoint: "s3.example.com:443",
                        region: "eu-central-1",
                        insecure: false,
                    }),
            ),
            {
                "config.blocks_storage.s3.endpoint": "s3.example.com:443",
                "config.blocks_storage.s3.region": "eu-central-1",
                "config.blocks_storage.s3.insecure": false,
            },
        ],
    ];
    for (const [name, p, expected] of table) {
        it(name, () => {
            const values = cortexValues(p);
            for (const [path, value] of Object.entries(expected)) expect(at(values, path), path).to.deep.equal(value);
        });
    }
});

describe("loki values", () => {
    it("runs distributed, multi-tenant, on S3, with the ruler on the sidecar folder sending to Cortex", () => {
        const v = lokiValues(plan());
        const expected: Record<string, unknown> = {
            deploymentMode: "Distributed",
            "loki.auth_enabled": true,
            "loki.commonConfig.replication_factor": 3,
            "loki.storage.bucketNames": { chunks: "mla-logs" },
            "loki.storage.s3.endpoint": "minio.mla.svc.cluster.local:9000",
            "loki.storage.s3.accessKeyId": "${S3_ACCESS_KEY_ID}",
            "loki.rulerConfig": {
                storage: { type: "local", local: { directory: "/rules" } },
                alertmanager_url: "http://cortex-alertmanager.mla.svc.cluster.local:8080/api/prom/alertmanager",
                enable_api: true,
                enable_sharding: true,
            },
            "loki.compactor.retention_enabled": true,
            "loki.limits_config.retention_period": "168h",
            // Every tenant can be purged at once, without its overrides fragment.
            "loki.limits_config.deletion_mode": "filter-and-delete",
            "loki.structuredConfig.runtime_config.file": "/etc/loki/mla-runtime/runtime-config.yaml",
            "defaults.extraVolumes": [{ name: "mla-runtime", configMap: { name: "loki-mla-runtime" } }],
            "defaults.extraVolumeMounts": [{ name: "mla-runtime", mountPath: "/etc/loki/mla-runtime", readOnly: true }],
            "defaults.extraEnvFrom": [{ secretRef: { name: "mla-s3-credentials" } }],
            "defaults.extraArgs": ["-config.expand-env=true"],
            "loki.compactor.delete_request_store": "s3",
            "sidecar.rules": {
                enabled: true,
                label: "loki_rule",
                labelValue: "1",
                folder: "/rules",
                folderAnnotation: "k8s-sidecar-target-directory",
                searchNamespace: "mla",
                resource: "configmap",
            },
            "ruler.sidecar": true,
            "ruler.replicas": 2,
            "ingester.replicas": 3,
            "gateway.enabled": false,
            "minio.enabled": false,
            "singleBinary.replicas": 0,
        };
        for (const [path, value] of Object.entries(expected)) expect(at(v, path), path).to.deep.equal(value);
    });
    it("takes retention and namespace from the plan", () => {
        const v = lokiValues(plan((p) => ((p.namespace = "obs"), (p.loki.retention = "720h"))));
        expect(at(v, "loki.limits_config.retention_period")).to.equal("720h");
        expect(at(v, "sidecar.rules.searchNamespace")).to.equal("obs");
        expect(at(v, "loki.rulerConfig.alertmanager_url")).to.equal(
            "http://cortex-alertmanager.obs.svc.cluster.local:8080/api/prom/alertmanager",
        );
    });
});

describe("grafana values", () => {
    it("reads the admin password from the seed's Secret and watches the MLA namespace", () => {
        const v = grafanaValues(plan());
        expect(v.admin).to.deep.equal({
            existingSecret: "grafana-admin",
            userKey: "admin-user",
            passwordKey: "admin-password",
        });
        expect(at(v, "sidecar.datasources.label")).to.equal("grafana_datasource");
        expect(at(v, "sidecar.dashboards.searchNamespace")).to.equal("mla");
        expect(v["grafana.ini"]).to.equal(undefined);
    });
    it("configures the auth proxy for SSO when set", () => {
        const v = grafanaValues(
            plan((p) => {
                p.grafana.rootUrl = "https://grafana.example.com";
                p.grafana.authProxy = {
                    headerName: "X-User",
                    headerProperty: "email",
                    autoSignUp: false,
                    whitelist: ["10.0.0.1", "10.0.0.2"],
                };
            }),
        );
        expect(v["grafana.ini"]).to.deep.equal({
            server: { root_url: "https://grafana.example.com" },
            "auth.proxy": {
                enabled: true,
                header_name: "X-User",
                header_property: "email",
                auto_sign_up: false,
                whitelist: "10.0.0.1, 10.0.0.2",
            },
        });
    });
});

describe("minio values", () => {
    it("uses the credentials Secret and creates the metrics and logs buckets", () => {
        const p = plan() as SeedPlan & { objectStore: MinioPlan };
        const v = minioValues(p);
        expect(v).to.deep.include({
            mode: "distributed",
            replicas: 4,
            existingSecret: "mla-s3-credentials",
            persistence: { enabled: true, size: "50Gi" },
            // The default (medium) sizing, not the chart's 16Gi request.
            resources: { requests: { cpu: "250m", memory: "1Gi" } },
            buckets: [
                { name: "mla-metrics", policy: "none", purge: false },
                { name: "mla-logs", policy: "none", purge: false },
            ],
        });
        expect(v.securityContext).to.deep.equal({
            enabled: true,
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
            fsGroupChangePolicy: "OnRootMismatch",
        });
        expect(at(v, "makeBucketJob.securityContext.enabled")).to.equal(true);
        expect(at(v, "makeBucketJob.containerSecurityContext.allowPrivilegeEscalation")).to.equal(false);
    });
    it("omits replicas in standalone mode", () => {
        const p = plan((x) => (x.objectStore = { ...(x.objectStore as MinioPlan), mode: "standalone" })) as SeedPlan & {
            objectStore: MinioPlan;
        };
        expect(minioValues(p)).to.not.have.property("replicas");
    });
});
