/**
 * The seed's shared backends as the cross-tenant suite sees them: one recording HTTP server per
 * upstream URL (Cortex and Loki serve every tenant, told apart only by `X-Scope-OrgID`), shared by
 * both clusters' gateways. Every request that reaches a backend is kept with every tenant-header
 * value it carried, under any spelling (`X-Scope-OrgID`, `x_scope_orgid`, ...).
 */
import { createServer } from "node:http";
import type { UpstreamUrls } from "../../components/gateway/read-routes";

/** One request as a backend saw it. */
export interface BackendHit {
    backend: keyof UpstreamUrls;
    method: string;
    path: string;
    /** Every value of every header whose name is x-scope-orgid with `-` or `_`, any case. */
    orgIds: string[];
    /** Every header name, as sent (to spot a forwarded read token or odd names). */
    headerNames: string[];
}

/** The shared backends. */
export interface SharedBackends {
    /** Upstream URLs for `mla render gateway` flags (`--metrics-push-url` ...). */
    urls: Record<keyof UpstreamUrls, string>;
    readonly hits: BackendHit[];
    close(): Promise<void>;
}

/** Paths the upstream URLs carry, as the seed's would. */
const PATHS: Record<keyof UpstreamUrls, string> = {
    metricsPushUrl: "/api/v1/push",
    logsPushUrl: "/loki/api/v1/push",
    metricsQueryUrl: "/prometheus",
    logsQueryUrl: "",
    alertmanagerUrl: "/api/prom/alertmanager",
    metricsRulerUrl: "/prometheus",
    logsRulerUrl: "",
};

const TENANT_HEADER = /^x[-_]scope[-_]orgid$/i;

/** Starts one recording server per upstream on loopback. */
export async function startSharedBackends(): Promise<SharedBackends> {
    const hits: BackendHit[] = [];
    const keys = Object.keys(PATHS) as (keyof UpstreamUrls)[];
    const servers = keys.map((backend) =>
        createServer((req, res) => {
            const raw = req.rawHeaders;
            const orgIds: string[] = [];
            const headerNames: string[] = [];
            for (let i = 0; i < raw.length; i += 2) {
                headerNames.push(raw[i]);
                if (TENANT_HEADER.test(raw[i])) orgIds.push(raw[i + 1]);
            }
            hits.push({ backend, method: req.method ?? "", path: req.url ?? "", orgIds, headerNames });
            req.resume();
            req.on("end", () => {
                res.writeHead(200, { "content-type": "text/plain" });
                res.end("ok");
            });
        }),
    );
    const ports = await Promise.all(
        servers.map(
            (server) =>
                new Promise<number>((resolve, reject) => {
                    server.once("error", reject);
                    server.listen(0, "127.0.0.1", () => {
                        const address = server.address();
                        resolve(typeof address === "object" && address ? address.port : 0);
                    });
                }),
        ),
    );
    const urls = Object.fromEntries(keys.map((k, i) => [k, `http://127.0.0.1:${ports[i]}${PATHS[k]}`])) as Record<
        keyof UpstreamUrls,
        string
    >;
    return {
        urls,
        hits,
        close: () =>
            Promise.all(
                servers.map(
                    (s) =>
                        new Promise<void>((done) => {
                            s.closeAllConnections();
                            s.close(() => done());
                        }),
                ),
            ).then(() => undefined),
    };
}
