/**
 * The read listener's routes: what Grafana may reach, and where each path goes.
 *
 * A route maps a gateway path prefix to an upstream and a path on it; the upstream URL's own path
 * is put in front. With `metricsQueryUrl = http://cortex-query-frontend:8080/prometheus`, the
 * request `/api/prom/api/v1/query` reaches `/prometheus/api/v1/query`. nginx picks the longest
 * matching prefix, so the ruler routes win over the broader query routes they sit under.
 */

/** The upstream URLs the gateway forwards to (full URLs, path included). */
export interface UpstreamUrls {
    /** Cortex distributor push, e.g. `http://cortex-distributor.mla.svc:8080/api/v1/push`. */
    metricsPushUrl: string;
    /** Loki distributor push, e.g. `http://loki-distributor.mla.svc:3100/loki/api/v1/push`. */
    logsPushUrl: string;
    /** Cortex query-frontend's Prometheus API root, e.g. `http://cortex-query-frontend.mla.svc:8080/prometheus`. */
    metricsQueryUrl: string;
    /** Loki query-frontend root, e.g. `http://loki-query-frontend.mla.svc:3100`. */
    logsQueryUrl: string;
    /** Cortex Alertmanager at its external URL path, e.g. `http://cortex-alertmanager.mla.svc:8080/api/prom/alertmanager`. */
    alertmanagerUrl: string;
    /** Cortex ruler's Prometheus API root, e.g. `http://cortex-ruler.mla.svc:8080/prometheus`. */
    metricsRulerUrl: string;
    /** Loki ruler root, e.g. `http://loki-ruler.mla.svc:3100`. */
    logsRulerUrl: string;
}

/** The upstreams the read listener uses. */
export type ReadUpstream = "metricsQueryUrl" | "logsQueryUrl" | "alertmanagerUrl" | "metricsRulerUrl" | "logsRulerUrl";

/** One read route. */
export interface ReadRoute {
    /** nginx prefix location on the read listener. */
    location: string;
    upstream: ReadUpstream;
    /** Path on the upstream, after the upstream URL's own path, that replaces `location`. */
    upstreamPath: string;
    /** Use `upstreamPath` from the upstream's root, ignoring the URL's own path. Defaults to false. */
    fromRoot?: boolean;
}

/** Every read route, in render order. Paths are Cortex's and Loki's HTTP APIs. */
export const READ_ROUTES: readonly ReadRoute[] = [
    // Prometheus API for the Grafana Prometheus datasource (URL .../api/prom); rules and alerts
    // are answered by the ruler, everything else by the query-frontend.
    { location: "/api/prom/", upstream: "metricsQueryUrl", upstreamPath: "/" },
    { location: "/api/prom/api/v1/rules", upstream: "metricsRulerUrl", upstreamPath: "/api/v1/rules" },
    { location: "/api/prom/api/v1/alerts", upstream: "metricsRulerUrl", upstreamPath: "/api/v1/alerts" },
    // The ruler's config API (rule groups as YAML) sits at the ruler's root, not under the prefix.
    { location: "/api/prom/config/v1/rules", upstream: "metricsRulerUrl", upstreamPath: "/api/v1/rules", fromRoot: true },
    // Alertmanager datasource (implementation "cortex", URL = the gateway root): Grafana asks for
    // /alertmanager/api/v2/...; each tenant's Alertmanager serves its API under the external URL
    // path, which is the alertmanagerUrl's path. The config API sits at the root.
    { location: "/alertmanager/", upstream: "alertmanagerUrl", upstreamPath: "/" },
    { location: "/api/v1/alerts", upstream: "alertmanagerUrl", upstreamPath: "/api/v1/alerts", fromRoot: true },
    // Loki datasource: queries to the query-frontend, rules to the ruler.
    { location: "/loki/api/", upstream: "logsQueryUrl", upstreamPath: "/loki/api/" },
    { location: "/loki/api/v1/rules", upstream: "logsRulerUrl", upstreamPath: "/loki/api/v1/rules" },
    { location: "/prometheus/api/v1/rules", upstream: "logsRulerUrl", upstreamPath: "/prometheus/api/v1/rules" },
    { location: "/prometheus/api/v1/alerts", upstream: "logsRulerUrl", upstreamPath: "/prometheus/api/v1/alerts" },
];

/** The two write routes: exact paths, POST only. */
export const WRITE_ROUTES = [
    { location: "/api/v1/push", upstream: "metricsPushUrl", zone: "metricsWrite" },
    { location: "/loki/api/v1/push", upstream: "logsPushUrl", zone: "logsWrite" },
] as const;
