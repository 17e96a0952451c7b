/**
 * The benchmark's baseline: a reference-style gateway config. TLS 1.3 with client certificates
 * and the tenant header, like ours, but the way a plain proxy is usually written: `proxy_pass` to
 * an address (HTTP/1.0, a new upstream connection per request, no keepalive) and nginx's defaults
 * for buffers and workers. The only non-default besides TLS is the body size, which remote-write
 * batches of 1 MiB need (the default, 1m, would answer 413).
 */

/** Where the baseline listens and forwards. */
export interface BaselineParams {
    tenantId: string;
    listenPort: number;
    upstream: string;
    runtimeDir: string;
    tls: { certPath: string; keyPath: string; caPath: string };
}

/** Renders the baseline nginx.conf. */
export function renderBaselineNginx(p: BaselineParams): string {
    return `worker_processes 1;
pid ${p.runtimeDir}/nginx.pid;
error_log ${p.runtimeDir}/error.log warn;
events {}
http {
    client_body_temp_path ${p.runtimeDir}/client_body;
    proxy_temp_path ${p.runtimeDir}/proxy;
    fastcgi_temp_path ${p.runtimeDir}/fastcgi;
    uwsgi_temp_path ${p.runtimeDir}/uwsgi;
    scgi_temp_path ${p.runtimeDir}/scgi;
    access_log off;
    server {
        listen 127.0.0.1:${p.listenPort} ssl;
        ssl_certificate ${p.tls.certPath};
        ssl_certificate_key ${p.tls.keyPath};
        ssl_protocols TLSv1.3;
        ssl_client_certificate ${p.tls.caPath};
        ssl_verify_client on;
        client_max_body_size 16m;
        location /api/v1/push {
            proxy_set_header X-Scope-OrgID ${p.tenantId};
            proxy_pass ${p.upstream};
        }
    }
}
`;
}
