/**
 * A rendered gateway running in real nginx on loopback, with one recording upstream per upstream
 * URL, for the real-nginx suites. The upstream URLs carry non-default paths on purpose, so tests
 * can see that the URL's path (not the client's) is what reaches the upstream.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_LIMITS, type NginxConfigParams, renderNginxConfig } from "../../components/gateway/nginx-config";
import type { UpstreamUrls } from "../../components/gateway/read-routes";
import { renderReadTokenMap } from "../../components/gateway/read-token";
import { type Recorder, type RunningNginx, startNginx, startRecorder } from "../support/nginx";
import type { TestClusterPki } from "../support/pki";
import { writeTlsDir } from "../support/pki";
import { freePort } from "../support/ports";

/** Paths the fixture's upstream URLs carry. */
export const FIXTURE_PATHS: Record<keyof UpstreamUrls, string> = {
    metricsPushUrl: "/cortex/api/v1/push",
    logsPushUrl: "/loki/api/v1/push",
    metricsQueryUrl: "/prometheus",
    logsQueryUrl: "",
    alertmanagerUrl: "/api/prom/alertmanager",
    metricsRulerUrl: "/prometheus",
    logsRulerUrl: "",
};

/** A running gateway and everything around it. */
export interface GatewayFixture {
    readonly params: NginxConfigParams;
    readonly nginx: RunningNginx;
    readonly upstreams: Record<keyof UpstreamUrls, Recorder>;
    readonly writePort: number;
    readonly readPort: number;
    /** The cluster's read token (send it as X-MLA-Read-Token). */
    readonly readToken: string;
    /** How many requests reached any upstream. */
    upstreamHits(): number;
    /** Forgets what the upstreams recorded. */
    clearUpstreams(): void;
    /** Re-renders with changed parameters and reloads nginx. */
    reload(change: Partial<NginxConfigParams>): Promise<void>;
    stop(): Promise<void>;
}

/** Renders the config for `pki`'s cluster (tenant = cluster id), applies `change`, starts nginx. */
export async function startGatewayFixture(
    pki: TestClusterPki,
    change: Partial<NginxConfigParams> = {},
): Promise<GatewayFixture> {
    const dir = mkdtempSync(join(tmpdir(), "mla-gateway-"));
    const keys = Object.keys(FIXTURE_PATHS) as (keyof UpstreamUrls)[];
    const recorders = await Promise.all(keys.map(() => startRecorder()));
    const upstreams = Object.fromEntries(keys.map((k, i) => [k, recorders[i]])) as Record<keyof UpstreamUrls, Recorder>;
    let nginx: RunningNginx | undefined;
    const stop = async () => {
        await nginx?.stop();
        await Promise.all(recorders.map((r) => r.close()));
        rmSync(dir, { recursive: true, force: true });
    };
    try {
        writeTlsDir(join(dir, "tls"), { ca: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
        const readToken = randomBytes(36).toString("base64url");
        writeFileSync(join(dir, "read-token.map"), renderReadTokenMap(readToken), { mode: 0o600 });
        const [writePort, readPort] = [await freePort(), await freePort()];
        let params: NginxConfigParams = {
            tenantId: pki.clusterId,
            writeListen: { host: "127.0.0.1", port: writePort },
            readListen: { host: "127.0.0.1", port: readPort },
            tls: {
                certPath: join(dir, "tls/tls.crt"),
                keyPath: join(dir, "tls/tls.key"),
                caPath: join(dir, "tls/ca.crt"),
            },
            readTokenMapPath: join(dir, "read-token.map"),
            upstreams: Object.fromEntries(
                keys.map((k) => [k, upstreams[k].url(FIXTURE_PATHS[k])]),
            ) as unknown as UpstreamUrls,
            limits: DEFAULT_LIMITS,
            suspended: false,
            retryAfterSeconds: 300,
            runtime: { dir, errorLog: "stderr", accessLog: join(dir, "access.log") },
            workerProcesses: 1,
            ...change,
        };
        nginx = await startNginx({ prefix: dir, config: renderNginxConfig(params), ports: [writePort, readPort] });
        const running = nginx;
        return {
            get params() {
                return params;
            },
            nginx: running,
            upstreams,
            writePort,
            readPort,
            readToken,
            upstreamHits: () => recorders.reduce((n, r) => n + r.requests.length, 0),
            clearUpstreams: () => recorders.forEach((r) => (r.requests.length = 0)),
            async reload(more: Partial<NginxConfigParams>) {
                params = { ...params, ...more };
                await running.reload(renderNginxConfig(params));
            },
            stop,
        };
    } catch (e) {
        await stop();
        throw e;
    }
}
