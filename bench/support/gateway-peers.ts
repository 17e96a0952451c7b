/**
 * Starting the peers of `npm run bench:gateway`, each a server process forwarding to the same
 * sink: direct (the sink itself), floor (support/floor-nginx.ts), haproxy
 * (support/haproxy-config.ts), ours (the rendered gateway) and the ours-* variants
 * (support/gateway-variants.ts).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
    DEFAULT_LIMITS,
    DEFAULT_WORKER_PROCESSES,
    type NginxConfigParams,
    renderNginxConfig,
} from "../../components/gateway/nginx-config";
import type { UpstreamUrls } from "../../components/gateway/read-routes";
import { freePort } from "../../test/support/ports";
import { renderFloorNginx } from "./floor-nginx";
import { GATEWAY_VARIANTS, variantConfig } from "./gateway-variants";
import { renderHaproxyConfig } from "./haproxy-config";
import { type PinnedProcess, startPinned, startPinnedNginx } from "./pinned";

const MIB = 1024 ** 2;

/** A running peer: where the load generator sends, and its process (none for direct). */
export interface Peer {
    name: string;
    port: number;
    tls: boolean;
    proc?: PinnedProcess;
}

/** What every peer shares. */
export interface PeerContext {
    /** The bench's temp dir; each peer gets a folder in it. */
    dir: string;
    sinkPort: number;
    /** The server certificate, its key and the cluster CA. */
    tls: { certPath: string; keyPath: string; caPath: string };
    /** Certificate and key in one PEM, as HAProxy takes them. */
    haproxyPem: string;
    /** The CPU the peers are pinned to. */
    cpu: string;
    /** Run nginx as this uid/gid (`unprivilegedIds`), as the pod does. */
    ids?: { uid: number; gid: number };
}

const SINK = (ctx: PeerContext) => `127.0.0.1:${ctx.sinkPort}`;

function upstreamsFor(sink: string): UpstreamUrls {
    return {
        metricsPushUrl: `http://${sink}/api/v1/push`,
        logsPushUrl: `http://${sink}/loki/api/v1/push`,
        metricsQueryUrl: `http://${sink}/prometheus`,
        logsQueryUrl: `http://${sink}`,
        alertmanagerUrl: `http://${sink}`,
        metricsRulerUrl: `http://${sink}/prometheus`,
        logsRulerUrl: `http://${sink}`,
    };
}

const unlimited = { requestsPerSecond: 1_000_000, burst: 1_000_000 };

/** An nginx peer: `config` run pinned and unprivileged under the one-CPU quota, listening on `ports` (the first is the write port). */
async function nginxPeer(
    name: string,
    peerDir: string,
    ctx: PeerContext,
    config: string,
    ports: number[],
    env?: Record<string, string>,
): Promise<Peer> {
    const proc = await startPinnedNginx({
        prefix: peerDir,
        config,
        cpu: ctx.cpu,
        ports,
        quota: true,
        env,
        ids: ctx.ids,
    });
    return { name, port: ports[0], tls: true, proc };
}

/** Starts the peer `name` and waits until it accepts connections. */
export async function startPeer(name: string, ctx: PeerContext): Promise<Peer> {
    const peerDir = join(ctx.dir, name);
    mkdirSync(peerDir);
    const port = await freePort();
    if (name === "direct") {
        return { name, port: ctx.sinkPort, tls: false };
    }
    if (name === "floor") {
        const config = renderFloorNginx({
            tenantId: "bench",
            listenPort: port,
            upstream: SINK(ctx),
            runtimeDir: peerDir,
            accessLog: "/dev/stdout",
            tls: ctx.tls,
        });
        return nginxPeer(name, peerDir, ctx, config, [port]);
    }
    if (name === "haproxy") {
        const cfg = join(peerDir, "haproxy.cfg");
        writeFileSync(
            cfg,
            renderHaproxyConfig({
                tenantId: "bench",
                listenPort: port,
                upstream: SINK(ctx),
                certAndKeyPath: ctx.haproxyPem,
                caPath: ctx.tls.caPath,
                maxBodyBytes: 16 * MIB,
            }),
        );
        execFileSync("haproxy", ["-c", "-q", "-f", cfg]);
        const proc = await startPinned({
            argv: ["haproxy", "-db", "-f", cfg],
            cpu: ctx.cpu,
            ports: [port],
            stdoutFile: join(peerDir, "stdout.log"),
            what: "haproxy",
            quota: true,
        });
        return { name, port, tls: true, proc };
    }
    if (name === "ours" || name in GATEWAY_VARIANTS) {
        const readPort = await freePort();
        const readTokenMapPath = join(peerDir, "read-token.map");
        writeFileSync(readTokenMapPath, "");
        const params: NginxConfigParams = {
            tenantId: "bench",
            writeListen: { host: "127.0.0.1", port },
            readListen: { host: "127.0.0.1", port: readPort },
            tls: ctx.tls,
            readTokenMapPath,
            upstreams: upstreamsFor(SINK(ctx)),
            // The rate limits are set out of the way: this measures the data path, not the limiter.
            limits: {
                metricsWrite: unlimited,
                logsWrite: unlimited,
                query: unlimited,
                maxBodySize: DEFAULT_LIMITS.maxBodySize,
            },
            suspended: false,
            retryAfterSeconds: 300,
            // As deployed (components/gateway/layout.ts): access log to stdout, collected by the runtime.
            runtime: { dir: peerDir, errorLog: join(peerDir, "error.log"), accessLog: "/dev/stdout" },
            workerProcesses: DEFAULT_WORKER_PROCESSES,
        };
        const rendered = renderNginxConfig(params);
        const variant = GATEWAY_VARIANTS[name];
        const config = variant ? variantConfig(rendered, variant) : rendered;
        return nginxPeer(name, peerDir, ctx, config, [port, readPort], variant?.env);
    }
    throw new Error(`unknown peer ${name}`);
}
