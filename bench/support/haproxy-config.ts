/**
 * HAProxy doing the gateway's write-path job, for `npm run bench:gateway`: TLS 1.3 only, client
 * certificate required and verified against the cluster CA, the tenant header overwritten, the
 * two push routes (POST only, Content-Length required, body size capped) and 404 for the rest.
 * One thread, as under a 1-CPU limit; bodies stream (no `http-buffer-request`); server
 * connections are reused (HAProxy's default `http-reuse safe`). Access log: one line per
 * request to stdout, like the gateway's.
 */

/** Where HAProxy listens and forwards. */
export interface HaproxyParams {
    tenantId: string;
    listenPort: number;
    /** `host:port` of the upstream. */
    upstream: string;
    /** PEM with the server certificate followed by its key (HAProxy's `crt`). */
    certAndKeyPath: string;
    caPath: string;
    /** Largest body in bytes. */
    maxBodyBytes: number;
}

/** Renders haproxy.cfg. */
export function renderHaproxyConfig(p: HaproxyParams): string {
    return `global
    nbthread 1
    maxconn 4096
    log stdout format raw local0 info
    ssl-default-bind-options ssl-min-ver TLSv1.3

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 75s

frontend write
    bind 127.0.0.1:${p.listenPort} ssl crt ${p.certAndKeyPath} ca-file ${p.caPath} verify required
    acl metrics path /api/v1/push
    acl logs path /loki/api/v1/push
    http-request return status 404 unless metrics || logs
    http-request return status 405 hdr Allow POST unless METH_POST
    http-request return status 411 unless { req.hdr(content-length) -m found }
    http-request return status 413 if { req.hdr_val(content-length) gt ${p.maxBodyBytes} }
    http-request set-header X-Scope-OrgID ${p.tenantId}
    use_backend metrics if metrics
    default_backend logs

backend metrics
    server distributor ${p.upstream}

backend logs
    server distributor ${p.upstream}
`;
}
