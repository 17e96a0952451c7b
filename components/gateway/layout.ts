/**
 * How the gateway pod is laid out (ports, mounts, object names) and the nginx parameters that
 * layout implies. `Gateway` and the "same bytes" test of `mla render gateway` both use it.
 */
import type { UpstreamUrls } from "./read-routes";
import { READ_TOKEN_MAP_FILE } from "./read-token";
import {
    DEFAULT_RETRY_AFTER_SECONDS,
    DEFAULT_WORKER_PROCESSES,
    type GatewayLimits,
    type NginxConfigParams,
} from "./nginx-config-params";

/** Container ports; above 1024 because the container runs without privileges. */
export const WRITE_PORT = 8443;
export const READ_PORT = 8080;
/** Service ports. */
export const WRITE_SERVICE_PORT = 443;
export const READ_SERVICE_PORT = 80;

/** Where the ConfigMap (nginx.conf) and the TLS Secret are mounted. */
export const CONFIG_DIR = "/etc/nginx/mla";
export const TLS_DIR = "/etc/nginx/mla-tls";
/** Where the read-token Secret is mounted (the map fragment nginx includes). */
export const READ_TOKEN_DIR = "/etc/nginx/mla-read-token";
/** emptyDir for pid and temp files: the root filesystem is read-only. */
export const RUNTIME_DIR = "/tmp/nginx";

/** Object names inside the cluster's namespace (one gateway per namespace, so fixed names). */
export const OBJECT_NAMES = {
    deployment: "mla-gateway",
    configMap: "mla-gateway-config",
    tlsSecret: "mla-gateway-tls",
    readTokenSecret: "mla-gateway-read-token",
    writeService: "mla-gateway",
    readService: "mla-gateway-read",
    pdb: "mla-gateway",
    networkPolicy: "mla-gateway",
} as const;

/** The seed namespace of a cluster's gateway and tenant objects. */
export function clusterNamespace(clusterId: string): string {
    return `cluster-${clusterId}`;
}

/** The `app.kubernetes.io/name` of every gateway; the seed's NetworkPolicy admits pods with it. */
export const GATEWAY_APP_NAME = "mla-gateway";

/** Labels on every gateway object; the first two are the pod selector. */
export function gatewayLabels(clusterId: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": GATEWAY_APP_NAME,
        "app.kubernetes.io/instance": clusterId,
        "app.kubernetes.io/part-of": "mla",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** The pod selector (stable labels only). */
export function gatewaySelector(clusterId: string): Record<string, string> {
    const labels = gatewayLabels(clusterId);
    return { "app.kubernetes.io/name": labels["app.kubernetes.io/name"], "app.kubernetes.io/instance": clusterId };
}

/** The tenant-specific inputs of the in-cluster config. */
export interface InClusterConfigInput {
    clusterId: string;
    upstreams: UpstreamUrls;
    limits: GatewayLimits;
    suspended: boolean;
}

/** The nginx parameters for a gateway pod with this layout. */
export function inClusterConfigParams(input: InClusterConfigInput): NginxConfigParams {
    return {
        tenantId: input.clusterId,
        writeListen: { host: "0.0.0.0", port: WRITE_PORT },
        readListen: { host: "0.0.0.0", port: READ_PORT },
        tls: { certPath: `${TLS_DIR}/tls.crt`, keyPath: `${TLS_DIR}/tls.key`, caPath: `${TLS_DIR}/ca.crt` },
        readTokenMapPath: `${READ_TOKEN_DIR}/${READ_TOKEN_MAP_FILE}`,
        upstreams: input.upstreams,
        limits: input.limits,
        suspended: input.suspended,
        retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
        // Container logs: errors to stderr, access log to stdout.
        runtime: { dir: RUNTIME_DIR, errorLog: "stderr", accessLog: "/dev/stdout" },
        workerProcesses: DEFAULT_WORKER_PROCESSES,
    };
}
