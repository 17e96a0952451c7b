/**
 * `mla render gateway`: writes the gateway's nginx.conf for one cluster, so it can be read,
 * diffed, or run under a stock `nginx -p DIR -c DIR/nginx.conf` (as root or not).
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
    DEFAULT_LIMITS,
    DEFAULT_RETRY_AFTER_SECONDS,
    DEFAULT_WORKER_PROCESSES,
    GatewayConfigError,
    type ListenAddress,
    type NginxConfigParams,
    parseListen,
    renderNginxConfig,
} from "../../components/gateway/nginx-config";
import {
    EMPTY_READ_TOKEN_MAP,
    READ_TOKEN_MAP_FILE,
    readTokenProblems,
    renderReadTokenMap,
} from "../../components/gateway/read-token";
import { READ_TOKEN_HEADER } from "../../components/gateway/read-routes";
import type { RateLimitSpec } from "../../spec/cluster-spec";
import { intFlag, parseFlags, requireFlag, writeFiles } from "./args";
import { type Command, UsageError } from "./command";

/** Local defaults: a Cortex single binary (9009) and Loki (3100) on this machine. */
const DEFAULT_URLS = {
    "metrics-push-url": "http://127.0.0.1:9009/api/v1/push",
    "logs-push-url": "http://127.0.0.1:3100/loki/api/v1/push",
    "metrics-query-url": "http://127.0.0.1:9009/prometheus",
    "logs-query-url": "http://127.0.0.1:3100",
    "alertmanager-url": "http://127.0.0.1:9009/api/prom/alertmanager",
    "metrics-ruler-url": "http://127.0.0.1:9009/prometheus",
    "logs-ruler-url": "http://127.0.0.1:3100",
} as const;

const USAGE = `Usage: mla render gateway --cluster-id ID --out DIR [options]

Writes DIR/nginx.conf: the per-cluster MLA gateway, byte for byte what the Gateway component
puts into its ConfigMap for the same inputs, and DIR/${READ_TOKEN_MAP_FILE} (mode 0600), the read-token
map fragment nginx.conf includes. Run it with:
  nginx -p RUNTIME_DIR -c DIR/nginx.conf     (absolute paths: nginx reads a relative -c under -p)

Required:
  --cluster-id ID            tenant id (DNS-1123 label), sent upstream as X-Scope-OrgID
  --out DIR                  where nginx.conf is written (created if missing)

Listeners:
  --write-listen HOST:PORT   mTLS write listener (default 127.0.0.1:8443)
  --read-listen HOST:PORT    plain-HTTP read listener with /healthz (default 127.0.0.1:8080)
  --tls-dir DIR              holds ca.crt, tls.crt, tls.key (default DIR/tls)
  --read-token-file FILE     the cluster's read token (one line; 32-256 of A-Za-z0-9_-). The read
                             listener answers 401 to requests without it in ${READ_TOKEN_HEADER}.
                             Without this flag the read listener answers 401 to everything.
  --read-token-dir DIR       where nginx.conf expects ${READ_TOKEN_MAP_FILE} (default DIR); the file is
                             always written into --out, move it there as you would the TLS files

Upstreams (full URLs, path included):
  --metrics-push-url URL     default ${DEFAULT_URLS["metrics-push-url"]}
  --logs-push-url URL        default ${DEFAULT_URLS["logs-push-url"]}
  --metrics-query-url URL    Prometheus API root; default ${DEFAULT_URLS["metrics-query-url"]}
  --logs-query-url URL       default ${DEFAULT_URLS["logs-query-url"]}
  --alertmanager-url URL     default ${DEFAULT_URLS["alertmanager-url"]}
  --metrics-ruler-url URL    default ${DEFAULT_URLS["metrics-ruler-url"]}
  --logs-ruler-url URL       default ${DEFAULT_URLS["logs-ruler-url"]}

Limits (requests per second and burst are per nginx instance; rps may be a decimal like 0.5):
  --metrics-write-rps N      default ${DEFAULT_LIMITS.metricsWrite.requestsPerSecond}
  --metrics-write-burst N    default ${DEFAULT_LIMITS.metricsWrite.burst}
  --logs-write-rps N         default ${DEFAULT_LIMITS.logsWrite.requestsPerSecond}
  --logs-write-burst N       default ${DEFAULT_LIMITS.logsWrite.burst}
  --query-rps N              default ${DEFAULT_LIMITS.query.requestsPerSecond}
  --query-burst N            default ${DEFAULT_LIMITS.query.burst}
  --max-body-size SIZE       largest request body, e.g. 512k, 16m (default ${DEFAULT_LIMITS.maxBodySize})

Suspension:
  --suspended                write routes answer 503 with Retry-After; nothing is forwarded
  --retry-after SECONDS      Retry-After while suspended (default ${DEFAULT_RETRY_AFTER_SECONDS})

Runtime:
  --runtime-dir DIR          pid and temp files (default DIR)
  --error-log PATH|stderr    default RUNTIME_DIR/error.log
  --access-log PATH|off      default RUNTIME_DIR/access.log
  --worker-processes N       default ${DEFAULT_WORKER_PROCESSES}
`;

const OPTIONS = {
    "cluster-id": { type: "string" },
    out: { type: "string" },
    "write-listen": { type: "string" },
    "read-listen": { type: "string" },
    "tls-dir": { type: "string" },
    "read-token-file": { type: "string" },
    "read-token-dir": { type: "string" },
    ...(Object.fromEntries(Object.keys(DEFAULT_URLS).map((k) => [k, { type: "string" }])) as Record<
        keyof typeof DEFAULT_URLS,
        { type: "string" }
    >),
    "metrics-write-rps": { type: "string" },
    "metrics-write-burst": { type: "string" },
    "logs-write-rps": { type: "string" },
    "logs-write-burst": { type: "string" },
    "query-rps": { type: "string" },
    "query-burst": { type: "string" },
    "max-body-size": { type: "string" },
    suspended: { type: "boolean" },
    "retry-after": { type: "string" },
    "runtime-dir": { type: "string" },
    "error-log": { type: "string" },
    "access-log": { type: "string" },
    "worker-processes": { type: "string" },
} as const;

/** Every flag the command accepts (its usage text documents each). */
export const RENDER_GATEWAY_FLAGS = Object.keys(OPTIONS);

function listenFlag(value: string | undefined, flag: string, fallback: string): ListenAddress {
    const parsed = parseListen(value ?? fallback);
    if (!parsed) throw new UsageError(`--${flag} must be HOST:PORT, got "${value}"`);
    return parsed;
}

function rpsFlag(value: string | undefined, flag: string): number | undefined {
    if (value === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`--${flag} must be a number, got "${value}"`);
    return Number(value);
}

function limitFlags(values: Record<string, string | undefined>, name: string, fallback: RateLimitSpec): RateLimitSpec {
    return {
        requestsPerSecond: rpsFlag(values[`${name}-rps`], `${name}-rps`) ?? fallback.requestsPerSecond,
        burst: intFlag(values[`${name}-burst`], `${name}-burst`) ?? fallback.burst,
    };
}

/** Turns the flags into renderer parameters (paths made absolute). */
export function renderGatewayParams(args: string[]): {
    out: string;
    params: NginxConfigParams;
    readTokenFile?: string;
} {
    const v = parseFlags(args, OPTIONS);
    const tenantId = requireFlag(v["cluster-id"], "cluster-id");
    const out = resolve(requireFlag(v.out, "out"));
    const tlsDir = resolve(v["tls-dir"] ?? `${out}/tls`);
    const runtimeDir = resolve(v["runtime-dir"] ?? out);
    const strings = v as Record<string, string | undefined>;
    const upstreams = Object.fromEntries(
        (Object.keys(DEFAULT_URLS) as (keyof typeof DEFAULT_URLS)[]).map((flag) => [
            flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
            strings[flag] ?? DEFAULT_URLS[flag],
        ]),
    ) as unknown as NginxConfigParams["upstreams"];
    const logPath = (value: string | undefined, keyword: string, file: string) =>
        value === undefined ? `${runtimeDir}/${file}` : value === keyword ? keyword : resolve(value);
    const params: NginxConfigParams = {
        tenantId,
        writeListen: listenFlag(v["write-listen"], "write-listen", "127.0.0.1:8443"),
        readListen: listenFlag(v["read-listen"], "read-listen", "127.0.0.1:8080"),
        tls: { certPath: `${tlsDir}/tls.crt`, keyPath: `${tlsDir}/tls.key`, caPath: `${tlsDir}/ca.crt` },
        readTokenMapPath: join(resolve(v["read-token-dir"] ?? out), READ_TOKEN_MAP_FILE),
        upstreams,
        limits: {
            metricsWrite: limitFlags(strings, "metrics-write", DEFAULT_LIMITS.metricsWrite),
            logsWrite: limitFlags(strings, "logs-write", DEFAULT_LIMITS.logsWrite),
            query: limitFlags(strings, "query", DEFAULT_LIMITS.query),
            maxBodySize: v["max-body-size"] ?? DEFAULT_LIMITS.maxBodySize,
        },
        suspended: v.suspended ?? false,
        retryAfterSeconds: intFlag(v["retry-after"], "retry-after") ?? DEFAULT_RETRY_AFTER_SECONDS,
        runtime: {
            dir: runtimeDir,
            errorLog: logPath(v["error-log"], "stderr", "error.log"),
            accessLog: logPath(v["access-log"], "off", "access.log"),
        },
        workerProcesses: intFlag(v["worker-processes"], "worker-processes") ?? DEFAULT_WORKER_PROCESSES,
    };
    const readTokenFile = v["read-token-file"] === undefined ? undefined : resolve(v["read-token-file"]);
    return { out, params, readTokenFile };
}

/** The map fragment for the token in `file` (trailing newline ignored); usage errors never echo it. */
function readTokenMap(file: string | undefined): string {
    if (file === undefined) return EMPTY_READ_TOKEN_MAP;
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (e) {
        throw new UsageError(`--read-token-file: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
    }
    const token = text.replace(/\r?\n$/, "");
    const problems = readTokenProblems(token);
    if (problems.length > 0) throw new UsageError(`--read-token-file ${file}: ${problems.join("; ")}`);
    return renderReadTokenMap(token);
}

export const renderGateway: Command = {
    name: "render gateway",
    summary: "Write a cluster gateway's nginx.conf (mTLS write listener, read listener)",
    usage: USAGE,
    async run(args, io) {
        const { out, params, readTokenFile } = renderGatewayParams(args);
        const tokenMap = readTokenMap(readTokenFile);
        let text: string;
        try {
            text = renderNginxConfig(params);
        } catch (e) {
            if (e instanceof GatewayConfigError) throw new UsageError(e.message);
            throw e;
        }
        const [path] = writeFiles(out, { "nginx.conf": text });
        // The fragment holds the secret: owner-only.
        const mapPath = join(out, READ_TOKEN_MAP_FILE);
        writeFileSync(mapPath, tokenMap, { mode: 0o600 });
        chmodSync(mapPath, 0o600);
        io.out(`wrote ${path}\n`);
        io.out(
            `wrote ${mapPath}${readTokenFile === undefined ? " (no --read-token-file: every read request gets 401)" : ""}\n`,
        );
        return 0;
    },
};
