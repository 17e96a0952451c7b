/**
 * The read server of the gateway's nginx.conf: the seed-internal listener Grafana queries, with
 * `/healthz` for the kubelet's probes, and the map that checks the read token.
 *
 * Every path but `/healthz` admits only requests carrying the cluster's read token (401
 * otherwise, `read-token.ts`), checked once at the server level before any location is chosen,
 * so no route can miss it; each read route then admits only its listed methods (405 otherwise).
 */
import { indent, limitLine, proxyLines, serverBlock } from "./nginx-blocks";
import { type NginxConfigParams, formatListen } from "./nginx-config-params";
import { READ_ROUTES, READ_TOKEN_HEADER, type ReadRoute } from "./read-routes";

/** LogQL/PromQL range queries can run for minutes; the frontends enforce their own timeouts. */
const READ_TIMEOUT_SECONDS = 300;
/** The pods' readiness and liveness probe, answered by nginx without a token. */
const PROBE_PATH = "/healthz";

/**
 * The maps that admit a request to the read listener: `$mla_read_token_ok` (the read token) and
 * `$mla_read_admitted` (the token, or the probe path). The probe path is a regex because nginx
 * compares plain map strings ignoring case, and only `/healthz` itself is answered without a token.
 */
export function readTokenMap(readTokenMapPath: string): string[] {
    return [
        `# 1 when the request carries this cluster's read token (header ${READ_TOKEN_HEADER}).`,
        `map $http_${READ_TOKEN_HEADER.toLowerCase().replace(/-/g, "_")} $mla_read_token_ok {`,
        "    default 0;",
        `    include ${readTokenMapPath};`,
        "}",
        "# 1 when the read listener admits the request: the read token, or the kubelet's probe path.",
        "map $uri $mla_read_admitted {",
        "    default $mla_read_token_ok;",
        // `\z`, not `$`: PCRE's `$` also matches before a final newline, and `$uri` is decoded (`/healthz%0A`).
        `    "~^${PROBE_PATH}\\z" 1;`,
        "}",
    ];
}

/** `location = /x` for an exact path, `location ^~ /x/` for a prefix (no regex may override it). */
function readLocation(route: ReadRoute): string {
    return route.path.endsWith("/") ? `location ^~ ${route.path} {` : `location = ${route.path} {`;
}

function readRouteLines(p: NginxConfigParams, route: ReadRoute): string[] {
    const methods = route.methods.join("|");
    const writes = route.writeMethods ?? [];
    const suspendLines =
        p.suspended && writes.length > 0
            ? [
                  "# Suspended: no write of any kind reaches the tenant.",
                  `if ($request_method ~ ^(${writes.join("|")})$) {`,
                  `    add_header Retry-After ${p.retryAfterSeconds} always;`,
                  "    return 503;",
                  "}",
              ]
            : [];
    return [
        readLocation(route),
        ...indent(
            [
                `if ($request_method !~ ^(${methods})$) {`,
                `    add_header Allow "${route.methods.join(", ")}" always;`,
                "    return 405;",
                "}",
                ...suspendLines,
                limitLine("query", p.limits.query),
                ...proxyLines(p, route.upstream, route.upstreamPath, route.fromRoot),
            ],
            1,
        ),
        "}",
    ];
}

/** The read listener's `server` block. */
export function readServer(p: NginxConfigParams): string[] {
    const locations = READ_ROUTES.flatMap((route) => readRouteLines(p, route));
    return serverBlock("# Read listener: seed-internal, plain HTTP, for Grafana; also the pods' probe endpoint.", [
        `listen ${formatListen(p.readListen)};`,
        `client_max_body_size ${p.limits.maxBodySize};`,
        `proxy_read_timeout ${READ_TIMEOUT_SECONDS}s;`,
        "# The read token, checked once before any location: every path but the probe answers 401 without it.",
        "if ($mla_read_admitted != 1) {",
        "    return 401;",
        "}",
        "",
        `location = ${PROBE_PATH} {`,
        "    access_log off;",
        "    default_type text/plain;",
        '    return 200 "ok\\n";',
        "}",
        ...locations,
    ]);
}
