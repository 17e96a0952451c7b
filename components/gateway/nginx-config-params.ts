/**
 * The parameters of the gateway's nginx config, their defaults, and their validation.
 *
 * Every value ends up inside nginx syntax, so validation is strict: a tenant id, path or URL
 * that could close a directive (`;`, `{`, quotes, spaces, `$`) is refused rather than escaped.
 */
import { type RateLimitSpec } from "../../spec/cluster-spec";
import type { UpstreamUrls } from "./read-routes";
import { isDnsLabel } from "../../spec/validation";
import { DEFAULT_GATEWAY_LIMITS } from "../../spec/cluster-defaults";

/** A listen address: host (IPv4, `[IPv6]`, `*` or `localhost`) and port. */
export interface ListenAddress {
    host: string;
    port: number;
}

/** Paths of the server certificate, its key, and the cluster CA that client certs must chain to. */
export interface TlsPaths {
    certPath: string;
    keyPath: string;
    caPath: string;
}

/** Request limits. Rates are per gateway replica (each nginx keeps its own counters). */
export interface GatewayLimits {
    metricsWrite: RateLimitSpec;
    logsWrite: RateLimitSpec;
    query: RateLimitSpec;
    /** Largest request body, nginx size syntax (`512k`, `16m`). */
    maxBodySize: string;
}

/** Where nginx keeps its pid and temp files, and where it logs. */
export interface RuntimePaths {
    /** A writable directory: pid file and temp directories live here. */
    dir: string;
    /** `stderr` or an absolute file path. */
    errorLog: string;
    /**
     * `off`, or an absolute file path. `/dev/stdout` (in a container) is written in blocks of up to
     * 4 KiB at least once a second; any other file line by line.
     */
    accessLog: string;
}

/** Everything `renderNginxConfig` needs. */
export interface NginxConfigParams {
    /** The tenant (cluster id): a DNS-1123 label, sent upstream as `X-Scope-OrgID`. */
    tenantId: string;
    /** The mTLS write listener (exposed to the user cluster). */
    writeListen: ListenAddress;
    /** The plain-HTTP read listener (seed-internal, for Grafana) with `/healthz`. */
    readListen: ListenAddress;
    tls: TlsPaths;
    /**
     * The read-token map fragment nginx `include`s (see `read-token.ts`); the token itself never
     * enters nginx.conf. A missing or empty fragment admits nobody on the read listener.
     */
    readTokenMapPath: string;
    upstreams: UpstreamUrls;
    limits: GatewayLimits;
    /** Write routes answer 503 with `Retry-After` and proxy nothing. */
    suspended: boolean;
    /** `Retry-After` seconds while suspended. */
    retryAfterSeconds: number;
    runtime: RuntimePaths;
    workerProcesses: number;
}

/** Default limits (per replica): the spec's, {@link DEFAULT_GATEWAY_LIMITS}. */
export const DEFAULT_LIMITS: GatewayLimits = DEFAULT_GATEWAY_LIMITS;
/** Agents back off and retry; five minutes keeps a suspended tenant's retries cheap. */
export const DEFAULT_RETRY_AFTER_SECONDS = 300;
/**
 * A fixed count: `auto` counts the node's CPUs, not the container's limit, in nginx 1.22. One
 * worker: the pod is limited to one CPU, where a second worker adds memory, not throughput
 * (bench/RESULTS.md).
 */
export const DEFAULT_WORKER_PROCESSES = 1;

const LISTEN_HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|\*|localhost)$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/+@-]*$/;
const URL_HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const URL_PATH = /^[A-Za-z0-9._~/-]*$/;
const SIZE = /^[1-9][0-9]*[kKmM]?$/;

/** An upstream URL broken into what nginx needs. */
export interface ParsedUpstream {
    /** `host:port`, for the upstream `server` line and the Host header. */
    hostPort: string;
    /** The URL's path without a trailing slash ("" for the root). */
    basePath: string;
}

/** Parses an upstream URL (already validated). */
export function parseUpstreamUrl(raw: string): ParsedUpstream {
    const url = new URL(raw);
    return { hostPort: `${url.hostname}:${url.port || "80"}`, basePath: url.pathname.replace(/\/+$/, "") };
}

/** Parses `HOST:PORT` (or `[IPv6]:PORT`); returns undefined when malformed. */
export function parseListen(text: string): ListenAddress | undefined {
    const m = /^(.*):(\d{1,5})$/.exec(text);
    if (!m) return undefined;
    return { host: m[1], port: Number(m[2]) };
}

/** Formats a listen address back into `HOST:PORT`. */
export function formatListen(address: ListenAddress): string {
    return `${address.host}:${address.port}`;
}

function urlProblems(field: string, raw: string, needsPath: boolean): string[] {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        return [`${field}: "${raw}" is not a URL`];
    }
    const problems: string[] = [];
    if (url.protocol !== "http:")
        problems.push(`${field}: only http:// upstreams are supported, got "${url.protocol}"`);
    if (!URL_HOST.test(url.hostname))
        problems.push(`${field}: host "${url.hostname}" is not a DNS name or IPv4 address`);
    if (url.username || url.password || url.search || url.hash) {
        problems.push(`${field}: credentials, query and fragment are not allowed`);
    }
    if (!URL_PATH.test(url.pathname))
        problems.push(`${field}: path "${url.pathname}" has characters nginx would misread`);
    else if (needsPath && url.pathname.replace(/\/+$/, "") === "")
        problems.push(`${field}: must include the push path`);
    return problems;
}

function listenProblems(field: string, address: ListenAddress): string[] {
    const problems: string[] = [];
    if (!LISTEN_HOST.test(address.host))
        problems.push(`${field}: host "${address.host}" must be an IP address, * or localhost`);
    if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65535) {
        problems.push(`${field}: port ${address.port} must be 1-65535`);
    }
    return problems;
}

function rateProblems(field: string, limit: RateLimitSpec): string[] {
    const problems: string[] = [];
    const rps = limit.requestsPerSecond;
    // nginx takes whole requests per second or per minute.
    if (!(rps > 0) || !Number.isInteger(Math.round(rps * 60 * 1e6) / 1e6)) {
        problems.push(`${field}.requestsPerSecond: ${rps} must be positive and a whole number per minute`);
    }
    if (!Number.isInteger(limit.burst) || limit.burst < 0)
        problems.push(`${field}.burst: ${limit.burst} must be a whole number >= 0`);
    return problems;
}

function pathProblems(field: string, path: string): string[] {
    return SAFE_PATH.test(path) ? [] : [`${field}: "${path}" must be an absolute path of letters, digits and ._/+@-`];
}

/** Every problem with the limits, one line each (field names as `prefix.metricsWrite...`). */
export function limitsProblems(limits: GatewayLimits, prefix = "limits"): string[] {
    const problems = [
        ...rateProblems(`${prefix}.metricsWrite`, limits.metricsWrite),
        ...rateProblems(`${prefix}.logsWrite`, limits.logsWrite),
        ...rateProblems(`${prefix}.query`, limits.query),
    ];
    if (!SIZE.test(limits.maxBodySize))
        problems.push(`${prefix}.maxBodySize: "${limits.maxBodySize}" must be a size like 512k or 16m`);
    return problems;
}

/** Every problem with the parameters, as one line each; empty when they are valid. */
export function nginxConfigProblems(p: NginxConfigParams): string[] {
    const problems: string[] = [];
    if (!isDnsLabel(p.tenantId)) problems.push(`tenantId: "${p.tenantId}" must be a DNS-1123 label`);
    problems.push(...listenProblems("writeListen", p.writeListen), ...listenProblems("readListen", p.readListen));
    if (p.writeListen.port === p.readListen.port)
        problems.push(`readListen: port ${p.readListen.port} is also the write port`);
    problems.push(...pathProblems("tls.certPath", p.tls.certPath), ...pathProblems("tls.keyPath", p.tls.keyPath));
    problems.push(...pathProblems("tls.caPath", p.tls.caPath), ...pathProblems("runtime.dir", p.runtime.dir));
    problems.push(...pathProblems("readTokenMapPath", p.readTokenMapPath));
    if (p.runtime.errorLog !== "stderr") problems.push(...pathProblems("runtime.errorLog", p.runtime.errorLog));
    if (p.runtime.accessLog !== "off") problems.push(...pathProblems("runtime.accessLog", p.runtime.accessLog));
    for (const key of Object.keys(p.upstreams) as (keyof UpstreamUrls)[]) {
        problems.push(...urlProblems(`upstreams.${key}`, p.upstreams[key], key.endsWith("PushUrl")));
    }
    problems.push(...limitsProblems(p.limits));
    if (!Number.isInteger(p.retryAfterSeconds) || p.retryAfterSeconds < 1) {
        problems.push(`retryAfterSeconds: ${p.retryAfterSeconds} must be a whole number >= 1`);
    }
    if (!Number.isInteger(p.workerProcesses) || p.workerProcesses < 1) {
        problems.push(`workerProcesses: ${p.workerProcesses} must be a whole number >= 1`);
    }
    return problems;
}

/** Thrown by `renderNginxConfig` with every problem at once. */
export class GatewayConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid gateway config:\n  - ${problems.join("\n  - ")}`);
        this.name = "GatewayConfigError";
    }
}
