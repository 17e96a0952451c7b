/**
 * The in-cluster addresses of the seed backends, derived from the charts' naming rules.
 *
 * All four charts use the usual Helm `fullname` rule: when the release name contains the chart
 * name, the fullname is the release name; otherwise it is `<release>-<chart>`. Component Services
 * are `<fullname>-<component>` (Cortex: `distributor`, `query-frontend`, `alertmanager`, `ruler`,
 * and `purger`, which the seed enables; Loki distributed mode: `distributor`, `query-frontend`,
 * `ruler`, `compactor`); Grafana's Service is the fullname itself, on port 80.
 * Ports: Cortex 8080 (`config.server.http_listen_port`), Loki 3100 (`loki.server.http_listen_port`).
 */
import type { ChartRef } from "./charts";

/** Cortex's HTTP port (chart default `config.server.http_listen_port`). */
export const CORTEX_HTTP_PORT = 8080;
/** Loki's HTTP port (chart default `loki.server.http_listen_port`). */
export const LOKI_HTTP_PORT = 3100;
/** MinIO's S3 API port (chart default `service.port`). */
export const MINIO_API_PORT = 9000;
/** Cortex's Prometheus API prefix (chart default `config.api.prometheus_http_prefix`). */
export const CORTEX_PROMETHEUS_PREFIX = "/prometheus";
/**
 * Cortex Alertmanager's external URL path; it is also the path its API and UI are served under.
 * Each tenant's Alertmanager routes under `external_url`'s path (Cortex pkg/alertmanager/alertmanager.go),
 * and with `-target=alertmanager` Cortex mounts it under `/api/prom` too (pkg/api/api.go,
 * RegisterAlertmanager), so senders post to `<this>/api/v2/alerts`; `/alertmanager/...` would 404.
 * The chart's own ruler default uses the same path (templates/ruler/ruler-dep.yaml).
 */
export const CORTEX_ALERTMANAGER_PREFIX = "/api/prom/alertmanager";

/** The Helm fullname of a release: the release name if it contains the chart name. */
export function helmFullname(ref: Pick<ChartRef, "chart" | "releaseName">): string {
    const full = ref.releaseName.includes(ref.chart) ? ref.releaseName : `${ref.releaseName}-${ref.chart}`;
    return full.slice(0, 63).replace(/-+$/, "");
}

/** The cluster-local DNS name of a Service. */
export function serviceHost(service: string, namespace: string, clusterDomain = "cluster.local"): string {
    return `${service}.${namespace}.svc.${clusterDomain}`;
}

/** Every seed address the cluster stacks and the seed's own wiring need. */
export interface SeedEndpoints {
    metricsPushUrl: string;
    metricsQueryUrl: string;
    alertmanagerUrl: string;
    metricsRulerUrl: string;
    logsPushUrl: string;
    logsQueryUrl: string;
    logsRulerUrl: string;
    grafanaUrl: string;
    /** The Cortex purger: `/purger/delete_tenant` for the opt-in tenant purge. */
    metricsPurgerUrl: string;
    /** The Loki compactor: `/loki/api/v1/delete` for the opt-in tenant purge. */
    logsCompactorUrl: string;
    /** The Cortex Alertmanager's headless Service, for gossip peering between replicas. */
    alertmanagerPeers: string;
    /** The object store's S3 endpoint as `host:port`, when the store is the bundled MinIO. */
    minioEndpoint: string;
}

/** The release refs the endpoints depend on. */
export interface SeedReleases {
    cortex: Pick<ChartRef, "chart" | "releaseName">;
    loki: Pick<ChartRef, "chart" | "releaseName">;
    grafana: Pick<ChartRef, "chart" | "releaseName">;
    minio: Pick<ChartRef, "chart" | "releaseName">;
}

/** Derives every backend URL from the release names and the namespaces they live in. */
export function seedEndpoints(releases: SeedReleases, namespace: string, grafanaNamespace = namespace): SeedEndpoints {
    const cortex = (component: string) =>
        `http://${serviceHost(`${helmFullname(releases.cortex)}-${component}`, namespace)}:${CORTEX_HTTP_PORT}`;
    const loki = (component: string) =>
        `http://${serviceHost(`${helmFullname(releases.loki)}-${component}`, namespace)}:${LOKI_HTTP_PORT}`;
    return {
        metricsPushUrl: `${cortex("distributor")}/api/v1/push`,
        metricsQueryUrl: `${cortex("query-frontend")}${CORTEX_PROMETHEUS_PREFIX}`,
        alertmanagerUrl: `${cortex("alertmanager")}${CORTEX_ALERTMANAGER_PREFIX}`,
        // The Prometheus API root of the ruler: the gateway's read routes append /api/v1/rules.
        metricsRulerUrl: `${cortex("ruler")}${CORTEX_PROMETHEUS_PREFIX}`,
        metricsPurgerUrl: cortex("purger"),
        logsPushUrl: `${loki("distributor")}/loki/api/v1/push`,
        logsQueryUrl: loki("query-frontend"),
        logsRulerUrl: loki("ruler"),
        logsCompactorUrl: loki("compactor"),
        grafanaUrl: `http://${serviceHost(helmFullname(releases.grafana), grafanaNamespace)}`,
        alertmanagerPeers: `${serviceHost(`${helmFullname(releases.cortex)}-alertmanager-headless`, namespace)}:9094`,
        minioEndpoint: `${serviceHost(helmFullname(releases.minio), namespace)}:${MINIO_API_PORT}`,
    };
}
