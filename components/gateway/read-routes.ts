/**
 * The read listener's routes: what Grafana may reach, with which methods, and where each path goes.
 *
 * Every route is an explicit path (exact, or a prefix ending in `/` for path parameters such as a
 * label name or a silence id) with an explicit method allowlist; anything else on the read port
 * answers 404 (unknown path) or 405 (known path, other method). No push, rule-write, data-delete
 * or admin API is listed, so none can be reached through the read port whatever the method.
 *
 * A route maps a gateway path to an upstream and a path on it; the upstream URL's own path is put
 * in front. With `metricsQueryUrl = http://cortex-query-frontend:8080/prometheus`, the request
 * `/api/prom/api/v1/query` reaches `/prometheus/api/v1/query`.
 *
 * Sources of the paths: Grafana's Prometheus datasource (URL `<gateway>/api/prom`, POST for
 * queries), its Loki datasource (URL `<gateway>`), and its Alertmanager datasource with
 * implementation "cortex" (URL `<gateway>`), whose alerting UI calls
 * `/alertmanager/api/v2/{silences,silence/<id>,status,alerts,alerts/groups}` and `/api/v1/alerts`
 * (Grafana `pkg/services/ngalert/api/lotex_am.go`).
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

/** Methods a read route may allow. HEAD is not implied by GET. */
export const READ_METHODS = ["GET", "POST", "DELETE"] as const;
/** One of {@link READ_METHODS}. */
export type ReadMethod = (typeof READ_METHODS)[number];

/** One read route. */
export interface ReadRoute {
    /** The path on the read listener: matched exactly, or as a prefix when it ends in `/`. */
    path: string;
    /** The methods served; any other answers 405 with `Allow`. */
    methods: readonly ReadMethod[];
    /**
     * The methods among `methods` that change the tenant's state (silences). While the cluster is
     * suspended they answer 503 like the write listener. Defaults to none.
     */
    writeMethods?: readonly ReadMethod[];
    upstream: ReadUpstream;
    /** Path on the upstream, after the upstream URL's own path, that replaces `path`. */
    upstreamPath: string;
    /** Use `upstreamPath` from the upstream's root, ignoring the URL's own path. Defaults to false. */
    fromRoot?: boolean;
}

const QUERY = ["GET", "POST"] as const;
const GET = ["GET"] as const;

/** Routes with the same upstream path as the gateway path under a fixed gateway prefix. */
function under(
    prefix: string,
    upstream: ReadUpstream,
    upstreamPrefix: string,
    list: [string, readonly ReadMethod[]][],
): ReadRoute[] {
    return list.map(([p, methods]) => ({
        path: `${prefix}${p}`,
        methods,
        upstream,
        upstreamPath: `${upstreamPrefix}${p}`,
    }));
}

/** Every read route, in render order. Paths are Cortex's, Loki's and Alertmanager's HTTP APIs. */
export const READ_ROUTES: readonly ReadRoute[] = [
    // Prometheus datasource (URL .../api/prom): queries to the query-frontend. POST only where the
    // Prometheus API takes form-encoded queries.
    ...under("/api/prom", "metricsQueryUrl", "", [
        ["/api/v1/query", QUERY],
        ["/api/v1/query_range", QUERY],
        ["/api/v1/query_exemplars", QUERY],
        ["/api/v1/series", QUERY],
        ["/api/v1/labels", QUERY],
        ["/api/v1/label/", GET],
        ["/api/v1/metadata", GET],
        ["/api/v1/status/buildinfo", GET],
    ]),
    // Rules and alerts are answered by the ruler; rule groups (YAML) only read, never written.
    ...under("/api/prom", "metricsRulerUrl", "", [
        ["/api/v1/rules", GET],
        ["/api/v1/alerts", GET],
    ]),
    // The ruler's config API sits at the ruler's root, not under the Prometheus prefix.
    {
        path: "/api/prom/config/v1/rules",
        methods: GET,
        upstream: "metricsRulerUrl",
        upstreamPath: "/api/v1/rules",
        fromRoot: true,
    },
    {
        path: "/api/prom/config/v1/rules/",
        methods: GET,
        upstream: "metricsRulerUrl",
        upstreamPath: "/api/v1/rules/",
        fromRoot: true,
    },
    // Alertmanager datasource (implementation cortex): each tenant's Alertmanager serves its API
    // under the external URL path, which is the alertmanagerUrl's path. Silences may be created
    // and expired from Grafana's alerting UI; alerts are only read (no alert injection).
    ...under("/alertmanager", "alertmanagerUrl", "", [
        ["/api/v2/status", GET],
        ["/api/v2/alerts", GET],
        ["/api/v2/alerts/groups", GET],
        ["/api/v2/receivers", GET],
    ]),
    {
        path: "/alertmanager/api/v2/silences",
        methods: ["GET", "POST"],
        writeMethods: ["POST"],
        upstream: "alertmanagerUrl",
        upstreamPath: "/api/v2/silences",
    },
    {
        path: "/alertmanager/api/v2/silence/",
        methods: ["GET", "DELETE"],
        writeMethods: ["DELETE"],
        upstream: "alertmanagerUrl",
        upstreamPath: "/api/v2/silence/",
    },
    // The tenant's Alertmanager config is the stack's to write; Grafana may only read it.
    {
        path: "/api/v1/alerts",
        methods: GET,
        upstream: "alertmanagerUrl",
        upstreamPath: "/api/v1/alerts",
        fromRoot: true,
    },
    // Loki datasource: queries to the query-frontend (never push, tail or delete).
    ...under("/loki/api/v1", "logsQueryUrl", "/loki/api/v1", [
        ["/query", QUERY],
        ["/query_range", QUERY],
        ["/series", QUERY],
        ["/labels", QUERY],
        ["/label/", GET],
        ["/index/stats", GET],
        ["/index/volume", GET],
        ["/index/volume_range", GET],
        ["/detected_fields", GET],
        ["/detected_labels", GET],
        ["/patterns", GET],
        ["/status/buildinfo", GET],
    ]),
    // Loki ruler: rules and alerts, read only.
    { path: "/loki/api/v1/rules", methods: GET, upstream: "logsRulerUrl", upstreamPath: "/loki/api/v1/rules" },
    { path: "/loki/api/v1/rules/", methods: GET, upstream: "logsRulerUrl", upstreamPath: "/loki/api/v1/rules/" },
    {
        path: "/prometheus/api/v1/rules",
        methods: GET,
        upstream: "logsRulerUrl",
        upstreamPath: "/prometheus/api/v1/rules",
    },
    {
        path: "/prometheus/api/v1/alerts",
        methods: GET,
        upstream: "logsRulerUrl",
        upstreamPath: "/prometheus/api/v1/alerts",
    },
];

/** Which agent certificate may use a write route (see `pki-profile.ts` for the subjects). */
export type WriteRole = "metrics" | "logs";

/** The two write routes: exact paths, POST only, each for one agent identity. */
export const WRITE_ROUTES = [
    { location: "/api/v1/push", upstream: "metricsPushUrl", zone: "metricsWrite", role: "metrics" },
    { location: "/loki/api/v1/push", upstream: "logsPushUrl", zone: "logsWrite", role: "logs" },
] as const satisfies readonly { location: string; upstream: keyof UpstreamUrls; zone: string; role: WriteRole }[];

/** The request header that carries the cluster's read token (Grafana sends it from secureJsonData). */
export const READ_TOKEN_HEADER = "X-MLA-Read-Token";
