/**
 * Building blocks shared by the gateway's nginx.conf sections: upstream and rate-limit zone names,
 * indentation, the body of a proxied location, the `limit_req` line and a server block with a
 * catch-all 404.
 *
 * `proxy_set_header` lines are repeated in every proxied location because nginx drops all
 * inherited ones as soon as a location sets any; losing `X-Scope-OrgID` would break isolation.
 */
import type { RateLimitSpec } from "../../spec/cluster-spec";
import { type NginxConfigParams, parseUpstreamUrl } from "./nginx-config-params";
import { READ_TOKEN_HEADER, type UpstreamUrls } from "./read-routes";

/** The `upstream` block of each upstream URL. */
export const UPSTREAM_NAMES: Record<keyof UpstreamUrls, string> = {
    metricsPushUrl: "mla_metrics_push",
    logsPushUrl: "mla_logs_push",
    metricsQueryUrl: "mla_metrics_query",
    logsQueryUrl: "mla_logs_query",
    alertmanagerUrl: "mla_alertmanager",
    metricsRulerUrl: "mla_metrics_ruler",
    logsRulerUrl: "mla_logs_ruler",
};

/** The `limit_req_zone` of each rate limit. */
export const ZONES = { metricsWrite: "mla_metrics_write", logsWrite: "mla_logs_write", query: "mla_query" } as const;

/** nginx rate syntax: whole requests per second, else per minute. */
export function rate(limit: RateLimitSpec): string {
    return Number.isInteger(limit.requestsPerSecond)
        ? `${limit.requestsPerSecond}r/s`
        : `${Math.round(limit.requestsPerSecond * 60)}r/m`;
}

export function indent(lines: string[], depth: number): string[] {
    return lines.map((l) => (l === "" ? "" : `${"    ".repeat(depth)}${l}`));
}

/** The body of a proxied location: tenant header, keepalive headers and the target. */
export function proxyLines(
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

export function limitLine(zone: keyof typeof ZONES, limit: RateLimitSpec): string {
    // nginx rejects `burst=0`; leaving it out means no burst.
    const burst = limit.burst > 0 ? ` burst=${limit.burst}` : "";
    return `limit_req zone=${ZONES[zone]}${burst} nodelay;`;
}

/** A `server` block whose every unmatched path answers 404. */
export function serverBlock(comment: string, body: string[]): string[] {
    const fallback = ["location / {", ...indent(["return 404;"], 1), "}"];
    return [comment, "server {", ...indent([...body, "", ...fallback], 1), "}"];
}
