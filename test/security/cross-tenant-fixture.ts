/**
 * One cluster's gateway for the cross-tenant suite, rendered by the `mla render gateway` code path
 * (the CLI's `main`, flags and all, with `--read-token-file`) and run by the real nginx, in front of
 * the shared backends. `rerender` renders again with other credentials or `--suspended` and
 * reloads nginx, as a rollout would give the pods the new config.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/cli";
import type { UpstreamUrls } from "../../components/gateway/read-routes";
import { type RunningNginx, startNginx } from "../support/nginx";
import { type TestClusterPki, writeTlsDir } from "../support/pki";
import { freePort } from "../support/ports";
import type { SharedBackends } from "./cross-tenant-backend";

/** The credentials one rendering uses. */
export interface GatewayCredentials {
    pki: TestClusterPki;
    readToken: string;
}

/** A running gateway of one cluster. */
export interface TenantGateway {
    readonly clusterId: string;
    readonly writePort: number;
    readonly readPort: number;
    /** The credentials of the current rendering. */
    readonly credentials: GatewayCredentials;
    /** Renders again (new credentials and/or suspension) through the CLI and reloads nginx. */
    rerender(change: { credentials?: GatewayCredentials; suspended?: boolean }): Promise<void>;
    stop(): Promise<void>;
}

/** A fresh read token, as ClusterPki would make one (48 characters, letters, digits, - and _ here). */
export function newReadToken(): string {
    return randomBytes(36).toString("base64url");
}

const URL_FLAGS: Record<keyof UpstreamUrls, string> = {
    metricsPushUrl: "metrics-push-url",
    logsPushUrl: "logs-push-url",
    metricsQueryUrl: "metrics-query-url",
    logsQueryUrl: "logs-query-url",
    alertmanagerUrl: "alertmanager-url",
    metricsRulerUrl: "metrics-ruler-url",
    logsRulerUrl: "logs-ruler-url",
};

/** Renders with `mla render gateway` and starts nginx on two free loopback ports. */
export async function startTenantGateway(
    backends: SharedBackends,
    credentials: GatewayCredentials,
): Promise<TenantGateway> {
    const clusterId = credentials.pki.clusterId;
    const dir = mkdtempSync(join(tmpdir(), `mla-xtenant-${clusterId}-`));
    const [writePort, readPort] = [await freePort(), await freePort()];
    let current = credentials;
    let suspended = false;
    let generation = 0;

    const render = async (): Promise<string> => {
        // A new directory per rendering, as a rollout mounts a new Secret: nothing of the old one stays.
        const tlsDir = join(dir, `tls-${generation}`);
        writeTlsDir(tlsDir, {
            ca: current.pki.ca.certPem,
            cert: current.pki.server.certPem,
            key: current.pki.server.keyPem,
        });
        const tokenFile = join(dir, `token-${generation}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(tokenFile, `${current.readToken}\n`, { mode: 0o600 });
        let err = "";
        const argv = [
            "render",
            "gateway",
            "--cluster-id",
            clusterId,
            "--out",
            dir,
            "--write-listen",
            `127.0.0.1:${writePort}`,
            "--read-listen",
            `127.0.0.1:${readPort}`,
            "--tls-dir",
            tlsDir,
            "--read-token-file",
            tokenFile,
            "--worker-processes",
            "1",
            // The suite sends hundreds of requests; the limiter is not what it tests.
            "--metrics-write-rps",
            "10000",
            "--metrics-write-burst",
            "10000",
            "--logs-write-rps",
            "10000",
            "--logs-write-burst",
            "10000",
            "--query-rps",
            "10000",
            "--query-burst",
            "10000",
            ...(suspended ? ["--suspended", "--retry-after", "30"] : []),
            ...(Object.keys(URL_FLAGS) as (keyof UpstreamUrls)[]).flatMap((k) => [
                `--${URL_FLAGS[k]}`,
                backends.urls[k],
            ]),
        ];
        const code = await main(argv, { out: () => undefined, err: (t) => (err += t) });
        if (code !== 0) throw new Error(`mla render gateway failed (${code}): ${err}`);
        return readFileSync(join(dir, "nginx.conf"), "utf8");
    };

    let nginx: RunningNginx | undefined;
    try {
        nginx = await startNginx({ prefix: dir, config: await render(), ports: [writePort, readPort] });
    } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
    }
    const running = nginx;
    return {
        clusterId,
        writePort,
        readPort,
        get credentials() {
            return current;
        },
        async rerender(change) {
            if (change.credentials) {
                current = change.credentials;
                generation += 1;
            }
            if (change.suspended !== undefined) suspended = change.suspended;
            await running.reload(await render());
        },
        async stop() {
            await running.stop();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
