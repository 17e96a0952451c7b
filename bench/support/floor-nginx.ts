/**
 * The benchmark's "floor": the smallest nginx that does the gateway's job on the write path.
 * It terminates TLS 1.3 with a required client certificate, sets the tenant header, streams the
 * body to a kept-alive upstream and 404s everything else, with nginx's defaults for everything
 * else (one worker, 16 KiB body buffer). Its access log has the same format and destination kind
 * as the gateway's, so both pay the same per-request write.
 */

/** Where the floor listens, forwards and writes. */
export interface FloorParams {
    tenantId: string;
    listenPort: number;
    /** `host:port` of the upstream. */
    upstream: string;
    runtimeDir: string;
    accessLog: string;
    tls: { certPath: string; keyPath: string; caPath: string };
}

/** Renders the floor's nginx.conf. */
export function renderFloorNginx(p: FloorParams): string {
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
    log_format mla '$remote_addr "$ssl_client_s_dn" [$time_local] "$request" $status $body_bytes_sent '
                   '$request_time "$upstream_addr" $upstream_status';
    access_log ${p.accessLog} mla;
    upstream push {
        server ${p.upstream};
        keepalive 16;
    }
    server {
        listen 127.0.0.1:${p.listenPort} ssl;
        ssl_certificate ${p.tls.certPath};
        ssl_certificate_key ${p.tls.keyPath};
        ssl_protocols TLSv1.3;
        ssl_client_certificate ${p.tls.caPath};
        ssl_verify_client on;
        client_max_body_size 16m;
        proxy_request_buffering off;
        proxy_http_version 1.1;
        location = /api/v1/push {
            proxy_set_header X-Scope-OrgID ${p.tenantId};
            proxy_set_header Connection "";
            proxy_pass http://push;
        }
        location = /loki/api/v1/push {
            proxy_set_header X-Scope-OrgID ${p.tenantId};
            proxy_set_header Connection "";
            proxy_pass http://push;
        }
        location / {
            return 404;
        }
    }
}
`;
}
