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
 *
 * The sections live beside this file: `nginx-write-server.ts` (the mTLS push listener and the
 * certificate-to-agent map), `nginx-read-server.ts` (Grafana's listener and the read-token map)
 * and `nginx-blocks.ts` (what both use).
 */
import { UPSTREAM_NAMES, ZONES, indent, rate } from "./nginx-blocks";
import {
    GatewayConfigError,
    type NginxConfigParams,
    nginxConfigProblems,
    parseUpstreamUrl,
} from "./nginx-config-params";
import { readServer, readTokenMap } from "./nginx-read-server";
import { clientRoleMap, writeServer } from "./nginx-write-server";
import type { UpstreamUrls } from "./read-routes";

export * from "./nginx-config-params";

/** Idle keepalive connections each worker keeps per upstream. */
const UPSTREAM_KEEPALIVE = 16;
/** The container's stdout, which the runtime reads through a pipe. */
const CONTAINER_STDOUT = "/dev/stdout";
/**
 * To the container's stdout, access-log lines are written in blocks of up to 4 KiB, and at least
 * once a second: one write (and one wake-up of the runtime's log reader) for about 25 pushes
 * instead of one each (bench/RESULTS.md). 4 KiB is PIPE_BUF, so each write to the pipe stays
 * atomic even with several workers. A line reaches stdout within a second; a killed pod loses at
 * most its last second of lines. A log file (`mla render gateway`'s default, for local runs) is
 * written line by line, for whoever tails it.
 */
const STDOUT_LOG_BUFFERING = "buffer=4k flush=1s";

function accessLogLines(accessLog: string): string[] {
    if (accessLog === "off") return ["access_log off;"];
    if (accessLog !== CONTAINER_STDOUT) return [`access_log ${accessLog} mla;`];
    return [
        "# Written in blocks of up to 4 KiB (atomic on a pipe), at least once a second.",
        `access_log ${accessLog} mla ${STDOUT_LOG_BUFFERING};`,
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
                ...accessLogLines(p.runtime.accessLog),
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
                ...clientRoleMap(p.tenantId),
                ...readTokenMap(p.readTokenMapPath),
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
