/**
 * The renderer as a pure function: validation messages, exact rendered fragments, and a golden
 * file (regenerate with UPDATE_GOLDEN=1 and review the diff).
 */
import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
    DEFAULT_LIMITS,
    GatewayConfigError,
    type NginxConfigParams,
    nginxConfigProblems,
    parseListen,
    renderNginxConfig,
} from "../../components/gateway/nginx-config";
import { READ_ROUTES } from "../../components/gateway/read-routes";

const GOLDEN = join(__dirname, "../golden/gateway/nginx.conf");

/** Kubernetes-like parameters with cluster DNS names, as the component renders them. */
function params(change: Partial<NginxConfigParams> = {}): NginxConfigParams {
    return {
        tenantId: "c1",
        writeListen: { host: "0.0.0.0", port: 8443 },
        readListen: { host: "0.0.0.0", port: 8080 },
        tls: { certPath: "/etc/mla/tls/tls.crt", keyPath: "/etc/mla/tls/tls.key", caPath: "/etc/mla/tls/ca.crt" },
        readTokenMapPath: "/etc/mla/read-token/read-token.map",
        upstreams: {
            metricsPushUrl: "http://cortex-distributor.mla.svc.cluster.local:8080/api/v1/push",
            logsPushUrl: "http://loki-distributor.mla.svc.cluster.local:3100/loki/api/v1/push",
            metricsQueryUrl: "http://cortex-query-frontend.mla.svc.cluster.local:8080/prometheus",
            logsQueryUrl: "http://loki-query-frontend.mla.svc.cluster.local:3100",
            alertmanagerUrl: "http://cortex-alertmanager.mla.svc.cluster.local:8080/api/prom/alertmanager",
            metricsRulerUrl: "http://cortex-ruler.mla.svc.cluster.local:8080/prometheus",
            logsRulerUrl: "http://loki-ruler.mla.svc.cluster.local:3100",
        },
        limits: DEFAULT_LIMITS,
        suspended: false,
        retryAfterSeconds: 300,
        runtime: { dir: "/tmp/nginx", errorLog: "stderr", accessLog: "/dev/stdout" },
        workerProcesses: 2,
        ...change,
    };
}

describe("renderNginxConfig", () => {
    it("renders the golden config for cluster DNS upstreams", () => {
        const text = renderNginxConfig(params());
        if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
        expect(text).to.equal(readFileSync(GOLDEN, "utf8"));
    });

    it("is deterministic", () => {
        expect(renderNginxConfig(params())).to.equal(renderNginxConfig(params()));
    });

    it("sets the tenant header from the tenant id in every proxied location", () => {
        const text = renderNginxConfig(params({ tenantId: "tenant-7" }));
        const proxied = text.match(/proxy_pass /g) ?? [];
        const tenant = text.match(/proxy_set_header X-Scope-OrgID "tenant-7";/g) ?? [];
        expect(proxied.length).to.equal(2 + READ_ROUTES.length);
        expect(tenant.length).to.equal(proxied.length);
    });

    it("checks the read token once in the read server, before any location, with only the probe path exempt", () => {
        const text = renderNginxConfig(params());
        const server = text.slice(text.indexOf("# Read listener"));
        const firstLocation = server.indexOf("location ");
        const check = server.search(/if \(\$mla_read_admitted != 1\) \{\n +return 401;\n +\}/);
        expect(check, "the server-level token check").to.be.greaterThan(-1);
        expect(check).to.be.lessThan(firstLocation);
        expect(text).to.include(
            'map $uri $mla_read_admitted {\n        default $mla_read_token_ok;\n        "~^/healthz\\z" 1;\n    }',
        );
        // The write server never consults the read token.
        expect(text.slice(0, text.indexOf("# Read listener"))).to.not.include("if ($mla_read_admitted");
    });

    it("checks the method before anything else in every read route", () => {
        const text = renderNginxConfig(params());
        for (const route of READ_ROUTES) {
            const head = route.path.endsWith("/") ? `location ^~ ${route.path} {` : `location = ${route.path} {`;
            const start = text.indexOf(`${head}\n`);
            expect(start, head).to.be.greaterThan(-1);
            const body = text
                .slice(start, text.indexOf("\n    }\n", start))
                .split("\n")
                .map((l) => l.trim());
            expect(body.slice(1, 5), head).to.deep.equal([
                `if ($request_method !~ ^(${route.methods.join("|")})$) {`,
                `add_header Allow "${route.methods.join(", ")}" always;`,
                "return 405;",
                "}",
            ]);
        }
    });

    it("serves no push, rule-write, delete or admin API on the read listener", () => {
        const paths = READ_ROUTES.map((r) => r.path);
        for (const banned of [
            "/loki/api/v1/push",
            "/api/v1/push",
            "/loki/api/v1/delete",
            "/api/prom/api/v1/admin/",
            "/loki/api/v1/tail",
            "/api/prom/push",
        ]) {
            expect(
                paths.some((p) => banned.startsWith(p)),
                banned,
            ).to.equal(false);
        }
        // Writes are limited to silences; rules and the Alertmanager config are read only.
        const writers = READ_ROUTES.filter(
            (r) =>
                r.methods.includes("DELETE") ||
                (r.methods.includes("POST") &&
                    !r.path.startsWith("/api/prom/api/v1/") &&
                    !r.path.startsWith("/loki/api/v1/")),
        );
        expect(writers.map((r) => [r.path, r.methods.join(",")])).to.deep.equal([
            ["/alertmanager/api/v2/silences", "GET,POST"],
            ["/alertmanager/api/v2/silence/", "GET,DELETE"],
        ]);
        for (const r of READ_ROUTES.filter((x) => /rules|\/api\/v1\/alerts$/.test(x.path)))
            expect(r.methods, r.path).to.deep.equal(["GET"]);
    });

    it("includes the read-token fragment in a map and strips the token before proxying", () => {
        const text = renderNginxConfig(params());
        expect(text).to.include(
            "map $http_x_mla_read_token $mla_read_token_ok {\n        default 0;\n        include /etc/mla/read-token/read-token.map;\n    }",
        );
        expect((text.match(/proxy_set_header X-MLA-Read-Token "";/g) ?? []).length).to.equal(
            (text.match(/proxy_pass /g) ?? []).length,
        );
    });

    it("maps each agent's certificate CN to its write route", () => {
        const text = renderNginxConfig(params({ tenantId: "tenant-7" }));
        expect(text).to.include(
            [
                "map $ssl_client_s_dn $mla_client_role {",
                '        default "";',
                "        ~(^|[^\\x5c],)CN=mla-metrics-agent\\.tenant-7(,|$) metrics;",
                "        ~(^|[^\\x5c],)CN=mla-log-agent\\.tenant-7(,|$) logs;",
                "    }",
            ].join("\n"),
        );
        expect(text).to.match(
            /location = \/api\/v1\/push \{[^}]*\}\n\s*# Only the metrics agent's certificate may push here.\n\s*if \(\$mla_client_role != "metrics"\) \{\n\s*return 403;/,
        );
        expect(text).to.match(
            /location = \/loki\/api\/v1\/push \{[^}]*\}\n\s*# Only the log agent's certificate may push here.\n\s*if \(\$mla_client_role != "logs"\) \{\n\s*return 403;/,
        );
    });

    it("answers 503 to silence changes while suspended, and only then", () => {
        const silenceGuard =
            /if \(\$request_method ~ \^\((POST|DELETE)\)\$\) \{\n\s*add_header Retry-After 60 always;\n\s*return 503;/g;
        expect(
            renderNginxConfig(params({ suspended: true, retryAfterSeconds: 60 })).match(silenceGuard),
        ).to.have.length(2);
        expect(renderNginxConfig(params({ suspended: false, retryAfterSeconds: 60 })).match(silenceGuard)).to.equal(
            null,
        );
    });

    it("renders write routes without proxying while suspended", () => {
        const text = renderNginxConfig(params({ suspended: true, retryAfterSeconds: 60 }));
        expect(text).to.not.include("proxy_pass http://mla_metrics_push");
        expect(text).to.not.include("proxy_pass http://mla_logs_push");
        // Both write routes, and the two silence routes of the read listener.
        expect(text.match(/add_header Retry-After 60 always;\n\s+return 503;/g)).to.have.length(4);
    });

    const rates: [number, number, string][] = [
        [100, 200, "rate=100r/s"],
        [0.5, 0, "rate=30r/m"],
    ];
    for (const [rps, burst, expected] of rates) {
        it(`renders ${rps} requests per second as ${expected}`, () => {
            const text = renderNginxConfig(
                params({ limits: { ...DEFAULT_LIMITS, query: { requestsPerSecond: rps, burst } } }),
            );
            expect(text).to.include(`zone=mla_query:1m ${expected};`);
        });
    }

    it("leaves out burst=0, which nginx rejects", () => {
        const text = renderNginxConfig(
            params({ limits: { ...DEFAULT_LIMITS, logsWrite: { requestsPerSecond: 5, burst: 0 } } }),
        );
        expect(text).to.include("limit_req zone=mla_logs_write nodelay;");
    });

    it("buffers the access log in 4 KiB blocks flushed every second only on the container's stdout", () => {
        const line = (accessLog: string) =>
            renderNginxConfig(params({ runtime: { dir: "/run", errorLog: "stderr", accessLog } }))
                .split("\n")
                .find((l) => l.trim().startsWith("access_log"))
                ?.trim();
        expect(line("/dev/stdout")).to.equal("access_log /dev/stdout mla buffer=4k flush=1s;");
        expect(line("/var/log/gateway/access.log")).to.equal("access_log /var/log/gateway/access.log mla;");
    });

    it("turns off the access log when asked", () => {
        expect(
            renderNginxConfig(params({ runtime: { dir: "/run", errorLog: "stderr", accessLog: "off" } })),
        ).to.include("access_log off;");
    });

    it("reports every problem at once", () => {
        const bad = params({
            tenantId: "Bad_Tenant",
            writeListen: { host: "0.0.0.0", port: 70000 },
            readListen: { host: "example.com", port: 8080 },
            tls: { certPath: "relative.crt", keyPath: "/k;ey", caPath: "/ca.crt" },
            readTokenMapPath: "token.map",
            limits: {
                metricsWrite: { requestsPerSecond: 0, burst: 1 },
                logsWrite: { requestsPerSecond: 0.001, burst: -1 },
                query: { requestsPerSecond: 1, burst: 1.5 },
                maxBodySize: "16 m",
            },
            retryAfterSeconds: 0,
            workerProcesses: 0,
        });
        expect(nginxConfigProblems(bad)).to.deep.equal([
            'tenantId: "Bad_Tenant" must be a DNS-1123 label',
            "writeListen: port 70000 must be 1-65535",
            'readListen: host "example.com" must be an IP address, * or localhost',
            'tls.certPath: "relative.crt" must be an absolute path of letters, digits and ._/+@-',
            'tls.keyPath: "/k;ey" must be an absolute path of letters, digits and ._/+@-',
            'readTokenMapPath: "token.map" must be an absolute path of letters, digits and ._/+@-',
            "limits.metricsWrite.requestsPerSecond: 0 must be positive and a whole number per minute",
            "limits.logsWrite.requestsPerSecond: 0.001 must be positive and a whole number per minute",
            "limits.logsWrite.burst: -1 must be a whole number >= 0",
            "limits.query.burst: 1.5 must be a whole number >= 0",
            'limits.maxBodySize: "16 m" must be a size like 512k or 16m',
            "retryAfterSeconds: 0 must be a whole number >= 1",
            "workerProcesses: 0 must be a whole number >= 1",
        ]);
        expect(() => renderNginxConfig(bad)).to.throw(GatewayConfigError, /DNS-1123 label[\s\S]*workerProcesses/);
    });

    const badUrls: [string, string][] = [
        ["not a url", 'upstreams.metricsQueryUrl: "not a url" is not a URL'],
        ["https://q:8080/prometheus", 'upstreams.metricsQueryUrl: only http:// upstreams are supported, got "https:"'],
        ["http://user:pw@q:8080/", "upstreams.metricsQueryUrl: credentials, query and fragment are not allowed"],
        ["http://q:8080/a?b=c", "upstreams.metricsQueryUrl: credentials, query and fragment are not allowed"],
        ["http://q:8080/a;b", 'upstreams.metricsQueryUrl: path "/a;b" has characters nginx would misread'],
    ];
    for (const [url, message] of badUrls) {
        it(`refuses the upstream URL ${url}`, () => {
            expect(
                nginxConfigProblems(params({ upstreams: { ...params().upstreams, metricsQueryUrl: url } })),
            ).to.deep.equal([message]);
        });
    }

    it("requires a path on push URLs", () => {
        const upstreams = { ...params().upstreams, metricsPushUrl: "http://cortex:8080/" };
        expect(nginxConfigProblems(params({ upstreams }))).to.deep.equal([
            "upstreams.metricsPushUrl: must include the push path",
        ]);
    });

    it("refuses the same port for both listeners", () => {
        const p = params({ readListen: { host: "0.0.0.0", port: 8443 } });
        expect(nginxConfigProblems(p)).to.deep.equal(["readListen: port 8443 is also the write port"]);
    });
});

describe("parseListen", () => {
    const cases: [string, ReturnType<typeof parseListen>][] = [
        ["127.0.0.1:8443", { host: "127.0.0.1", port: 8443 }],
        ["[::1]:80", { host: "[::1]", port: 80 }],
        ["8443", undefined],
        ["host:", undefined],
    ];
    for (const [text, expected] of cases) {
        it(`parses "${text}"`, () => expect(parseListen(text)).to.deep.equal(expected));
    }
});
