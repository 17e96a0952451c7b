/**
 * Renders the per-cluster MLA gateway's nginx.conf. Pure: the same parameters give the same
 * bytes, which the Gateway component puts into its ConfigMap and `mla render gateway` writes.
 *
 * Design notes (the why; the README section "The MLA gateway" has the user-facing version):
 * - Upstreams are static `upstream` blocks with `keepalive`. nginx resolves their host names once
 *   at start; in Kubernetes they are Services with stable ClusterIPs, so a one-time lookup stays
 *   right for the life of the pod, and keepalive (which needs upstream blocks) saves a TCP
 *   handshake per remote-write batch. The cost: nginx refuses to start while a Service name does
 *   not resolve yet; the pod restarts until the seed is up.
 * - The gateway serves one tenant, so every `limit_req_zone` has a constant key: each zone is one
 *   token bucket for the whole tenant (per replica). Keying by client address would be wrong
 *   behind load balancers and NAT, and would let a tenant multiply its budget with more pods.
 * - `proxy_set_header` lines are repeated in every proxied location because nginx drops all
 *   inherited ones as soon as a location sets any; losing `X-Scope-OrgID` would break isolation.
 * - A write route hit with another method answers 405 (with `Allow: POST`); unknown paths,
 *   including every read path, answer 404. Both happen before rate limiting and proxying.
 * - Least privilege on the write listener: the client certificate's CN names the agent
 *   (`pki-profile.ts`), and each write route admits one agent only (403 for the other).
 * - The read listener admits only requests carrying the cluster's read token (401 otherwise,
 *   `read-token.ts`), and each read route only its listed methods (405 otherwise). `/healthz`
 *   stays open for the kubelet's probes.
 */
import type { RateLimitSpec } from "../../spec/cluster-spec";
import {
    GatewayConfigError,
    type NginxConfigParams,
    formatListen,
    nginxConfigProblems,
    parseUpstreamUrl,
} from "./nginx-config-params";
import {
    READ_ROUTES,
    READ_TOKEN_HEADER,
    type ReadRoute,
    type UpstreamUrls,
    WRITE_ROUTES,
    type WriteRole,
} from "./read-routes";
import { pkiProfile } from "../pki/pki-profile";

export * from "./nginx-config-params";

/** Idle keepalive connections each worker keeps per upstream. */
const UPSTREAM_KEEPALIVE = 16;
/** LogQL/PromQL range queries can run for minutes; the frontends enforce their own timeouts. */
const READ_TIMEOUT_SECONDS = 300;

const UPSTREAM_NAMES: Record<keyof UpstreamUrls, string> = {
    metricsPushUrl: "mla_metrics_push",
    logsPushUrl: "mla_logs_push",
    metricsQueryUrl: "mla_metrics_query",
    logsQueryUrl: "mla_logs_query",
    alertmanagerUrl: "mla_alertmanager",
    metricsRulerUrl: "mla_metrics_ruler",
    logsRulerUrl: "mla_logs_ruler",
};

const ZONES = { metricsWrite: "mla_metrics_write", logsWrite: "mla_logs_write", query: "mla_query" } as const;

/** nginx rate syntax: whole requests per second, else per minute. */
function rate(limit: RateLimitSpec): string {
    return Number.isInteger(limit.requestsPerSecond)
        ? `${limit.requestsPerSecond}r/s`
        : `${Math.round(limit.requestsPerSecond * 60)}r/m`;
}

function indent(lines: string[], depth: number): string[] {
    return lines.map((l) => (l === "" ? "" : `${"    ".repeat(depth)}${l}`));
}

/** The body of a proxied location: tenant header, keepalive headers and the target. */
function proxyLines(
    p: NginxConfigParams,
    upstream: keyof UpstreamUrls,
    upstreamPath: string,
    fromRoot = false,
): string[] {
    const { hostPort, basePath: urlPath } = parseUpstreamUrl(p.upstreams[upstream]);
    const basePath = fromRoot ? "" : urlPath;
    return [
        `proxy_set_header X-Scope-OrgID "${p.tenantId}";`,
        `proxy_set_header Host "${hostPort}";`,
        `proxy_set_header Connection "";`,
        `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`,
        // The read token stops here; the backends never see it.
        `proxy_set_header ${READ_TOKEN_HEADER} "";`,
        `proxy_pass http://${UPSTREAM_NAMES[upstream]}${basePath}${upstreamPath};`,
    ];
}

function limitLine(zone: keyof typeof ZONES, limit: RateLimitSpec): string {
    // nginx rejects `burst=0`; leaving it out means no burst.
    const burst = limit.burst > 0 ? ` burst=${limit.burst}` : "";
    return `limit_req zone=${ZONES[zone]}${burst} nodelay;`;
}

function writeServer(p: NginxConfigParams): string[] {
    const locations = WRITE_ROUTES.flatMap((route) => {
        const body = p.suspended
            ? [`add_header Retry-After ${p.retryAfterSeconds} always;`, "return 503;"]
            : [limitLine(route.zone, p.limits[route.zone]), ...proxyLines(p, route.upstream, "")];
        return [
            `location = ${route.location} {`,
            ...indent(
                [
                    "if ($request_method != POST) {",
                    "    add_header Allow POST always;",
                    "    return 405;",
                    "}",
                    `# Only the ${route.role === "metrics" ? "metrics" : "log"} agent's certificate may push here.`,
                    `if ($mla_client_role != "${route.role}") {`,
                    "    return 403;",
                    "}",
                    "# Agents always send Content-Length; a chunked body could only be size-checked while",
                    "# it is already being streamed to the distributor.",
                    'if ($http_content_length = "") {',
                    "    return 411;",
                    "}",
                    ...body,
                ],
                1,
            ),
            "}",
        ];
    });
    return serverBlock("# Write listener: the only door from the user cluster. mTLS against this cluster's CA only.", [
        `listen ${formatListen(p.writeListen)} ssl;`,
        `ssl_certificate ${p.tls.certPath};`,
        `ssl_certificate_key ${p.tls.keyPath};`,
        "ssl_protocols TLSv1.3;",
        `ssl_client_certificate ${p.tls.caPath};`,
        "ssl_verify_client on;",
        "# Agent certificates are issued directly by the cluster CA; no intermediates.",
        "ssl_verify_depth 1;",
        "ssl_session_tickets off;",
        `client_max_body_size ${p.limits.maxBodySize};`,
        "# Stream each push to the distributor as it arrives instead of spooling it first: with",
        "# Content-Length required, nginx refuses an oversized body (413) before forwarding a byte.",
        "# bench/RESULTS.md measures what this gains over a buffering proxy.",
        "proxy_request_buffering off;",
        "# Read a real remote-write batch (35-280 KB) in 64 KiB chunks rather than 16 KiB ones: fewer",
        "# writes to the upstream per push. 128k cost more CPU per GiB at 280 KB (bench/RESULTS.md).",
        "# Still streamed, so the 413 check above holds.",
        "client_body_buffer_size 64k;",
        "",
        ...locations,
    ]);
}

/** `location = /x` for an exact path, `location ^~ /x/` for a prefix (no regex may override it). */
function readLocation(route: ReadRoute): string {
    return route.path.endsWith("/") ? `location ^~ ${route.path} {` : `location = ${route.path} {`;
}

const TOKEN_CHECK = ["if ($mla_read_token_ok != 1) {", "    return 401;", "}"];

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
                ...TOKEN_CHECK,
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

function readServer(p: NginxConfigParams): string[] {
    const locations = READ_ROUTES.flatMap((route) => readRouteLines(p, route));
    return serverBlock(
        "# Read listener: seed-internal, plain HTTP, for Grafana; also the pods' probe endpoint.",
        [
            `listen ${formatListen(p.readListen)};`,
            `client_max_body_size ${p.limits.maxBodySize};`,
            `proxy_read_timeout ${READ_TIMEOUT_SECONDS}s;`,
            "",
            "location = /healthz {",
            "    access_log off;",
            "    default_type text/plain;",
            '    return 200 "ok\\n";',
            "}",
            ...locations,
        ],
        TOKEN_CHECK,
    );
}

/** A `server` block whose every unmatched path answers 404 (after `fallbackChecks`). */
function serverBlock(comment: string, body: string[], fallbackChecks: string[] = []): string[] {
    const fallback = ["location / {", ...indent([...fallbackChecks, "return 404;"], 1), "}"];
    return [comment, "server {", ...indent([...body, "", ...fallback], 1), "}"];
}

/**
 * nginx regex for a certificate subject (RFC 2253, any RDN order) whose CN is `commonName`. An
 * RDN starts at the beginning or after an unescaped comma, so `O=x\,CN=...` cannot pose as a CN.
 */
function cnRegex(commonName: string): string {
    // \x5c is a backslash; a literal one would need two levels of escaping (nginx, then PCRE).
    return `~(^|[^\\x5c],)CN=${commonName.replace(/[.]/g, "\\.")}(,|$)`;
}

/** The maps from the client certificate to its agent role and from the read token to admission. */
function identityMaps(p: NginxConfigParams): string[] {
    const profile = pkiProfile(p.tenantId);
    const roles: Record<WriteRole, string> = {
        metrics: profile.metricsAgent.commonName,
        logs: profile.logAgent.commonName,
    };
    return [
        "# Which agent a verified client certificate belongs to (its CN, as ClusterPki issues it).",
        "map $ssl_client_s_dn $mla_client_role {",
        '    default "";',
        ...(Object.keys(roles) as WriteRole[]).map((role) => `    ${cnRegex(roles[role])} ${role};`),
        "}",
        `# 1 when the request carries this cluster's read token (header ${READ_TOKEN_HEADER}).`,
        `map $http_${READ_TOKEN_HEADER.toLowerCase().replace(/-/g, "_")} $mla_read_token_ok {`,
        "    default 0;",
        `    include ${p.readTokenMapPath};`,
        "}",
    ];
}

function upstreamBlocks(p: NginxConfigParams): string[] {
    return (Object.keys(UPSTREAM_NAMES) as (keyof UpstreamUrls)[]).flatMap((key) => [
        `upstream ${UPSTREAM_NAMES[key]} {`,
        `    server ${parseUpstreamUrl(p.upstreams[key]).hostPort};`,
        `    keepalive ${UPSTREAM_KEEPALIVE};`,
        "}",
    ]);
}

/**
 * Renders nginx.conf for one tenant's gateway. Throws `GatewayConfigError` listing every problem
 * when the parameters are invalid.
 */
export function renderNginxConfig(p: NginxConfigParams): string {
    const problems = nginxConfigProblems(p);
    if (problems.length > 0) throw new GatewayConfigError(problems);
    const dir = p.runtime.dir.replace(/\/+$/, "");
    const accessLog = p.runtime.accessLog === "off" ? "access_log off;" : `access_log ${p.runtime.accessLog} mla;`;
    const lines = [
        `# MLA gateway for tenant "${p.tenantId}". Rendered by components/gateway/nginx-config.ts; re-render, do not edit.`,
        `# Suspended: ${p.suspended ? "yes (write routes and silence changes answer 503)" : "no"}.`,
        `worker_processes ${p.workerProcesses};`,
        `pid ${dir}/nginx.pid;`,
        `error_log ${p.runtime.errorLog} warn;`,
        "",
        "events {",
        "    worker_connections 1024;",
        "}",
        "",
        "http {",
        ...indent(
            [
                "default_type application/octet-stream;",
                "server_tokens off;",
                "# Every path nginx writes is under the runtime dir, so it runs as non-root on a read-only root.",
                `client_body_temp_path ${dir}/client_body;`,
                `proxy_temp_path ${dir}/proxy;`,
                `fastcgi_temp_path ${dir}/fastcgi;`,
                `uwsgi_temp_path ${dir}/uwsgi;`,
                `scgi_temp_path ${dir}/scgi;`,
                'log_format mla \'$remote_addr "$ssl_client_s_dn" [$time_local] "$request" $status $body_bytes_sent \'',
                "               '$request_time \"$upstream_addr\" $upstream_status';",
                accessLog,
                "",
                "# One gateway per tenant: a constant key makes each zone one bucket for the tenant.",
                `limit_req_zone "${p.tenantId}" zone=${ZONES.metricsWrite}:1m rate=${rate(p.limits.metricsWrite)};`,
                `limit_req_zone "${p.tenantId}" zone=${ZONES.logsWrite}:1m rate=${rate(p.limits.logsWrite)};`,
                `limit_req_zone "${p.tenantId}" zone=${ZONES.query}:1m rate=${rate(p.limits.query)};`,
                "limit_req_status 429;",
                "limit_req_log_level warn;",
                "",
                "# Keepalive to the upstreams needs HTTP/1.1 and an empty Connection header (set per location).",
                "proxy_http_version 1.1;",
                ...upstreamBlocks(p),
                "",
                ...identityMaps(p),
                "",
                ...writeServer(p),
                "",
                ...readServer(p),
            ],
            1,
        ),
        "}",
        "",
    ];
    return lines.join("\n");
}
