/**
 * `npm run bench:gateway`: the cost of the gateway, measured side by side in one run.
 *
 * Three paths take the same load from the same generator (a separate process):
 * - direct:   plain HTTP straight to the upstream sink;
 * - ours:     through our rendered gateway (TLS 1.3, mTLS, keepalive upstreams);
 * - baseline: through a reference-style config (TLS 1.3, mTLS, no upstream keepalive, defaults).
 * Payloads are remote-write sized (100 KiB and 1 MiB) at concurrency 1, 16 and 64. The paths
 * alternate within each cell so drift on the machine hits all three alike.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderNginxConfig, type NginxConfigParams } from "../gateway/nginx-config";
import { startNginx } from "../test/support/nginx";
import { makeClusterPki, writeTlsDir } from "../test/support/pki";
import { freePort } from "../test/support/ports";
import { renderBaselineNginx } from "./support/baseline-nginx";
import type { LoadResult, LoadSpec } from "./support/load-client";

const DURATION_MS = Number(process.env.MLA_BENCH_SECONDS ?? "3") * 1000;
const PAYLOADS = (process.env.MLA_BENCH_PAYLOADS ?? "102400,1048576").split(",").map(Number);
const CONCURRENCY = (process.env.MLA_BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number);
const PATHS = ["direct", "ours", "baseline"] as const;
type PathName = (typeof PATHS)[number];

function runLoad(spec: LoadSpec): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join(__dirname, "support", "load-client.ts")], {
            env: { ...process.env, MLA_LOAD_SPEC: JSON.stringify(spec) },
            stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (d) => (out += String(d)));
        child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load client exited ${code}`))));
    });
}

/** An upstream that reads the whole body and answers 204, like a distributor that accepted it. */
async function startSink(): Promise<{ url: string; close(): void }> {
    const server = createServer((req, res) => {
        req.on("data", () => undefined);
        req.on("end", () => res.writeHead(204).end());
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

function mib(bytesPerSecond: number): string {
    return (bytesPerSecond / 1024 / 1024).toFixed(1);
}

async function main(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "mla-bench-gateway-"));
    // Started as root, nginx's workers run as nobody and must reach the temp dirs below.
    chmodSync(dir, 0o755);
    const sink = await startSink();
    const pki = await makeClusterPki("bench", { serverDnsNames: ["localhost"], serverIps: ["127.0.0.1"] });
    const serverTls = join(dir, "server-tls");
    const clientTls = join(dir, "client-tls");
    writeTlsDir(serverTls, { ca: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
    writeTlsDir(clientTls, { ca: pki.ca.certPem, cert: pki.metricsAgent.certPem, key: pki.metricsAgent.keyPem });
    const tls = { certPath: join(serverTls, "tls.crt"), keyPath: join(serverTls, "tls.key"), caPath: join(serverTls, "ca.crt") };

    const [oursPort, oursReadPort, basePort] = [await freePort(), await freePort(), await freePort()];
    const oursDir = join(dir, "ours");
    const baseDir = join(dir, "baseline");
    mkdirSync(oursDir);
    mkdirSync(baseDir);
    // The rate limits are set out of the way: this measures the data path, not the limiter.
    const unlimited = { requestsPerSecond: 1_000_000, burst: 1_000_000 };
    const params: NginxConfigParams = {
        tenantId: "bench",
        writeListen: { host: "127.0.0.1", port: oursPort },
        readListen: { host: "127.0.0.1", port: oursReadPort },
        tls,
        upstreams: {
            metricsPushUrl: `${sink.url}/api/v1/push`,
            logsPushUrl: `${sink.url}/loki/api/v1/push`,
            metricsQueryUrl: `${sink.url}/prometheus`,
            logsQueryUrl: sink.url,
            alertmanagerUrl: sink.url,
            metricsRulerUrl: `${sink.url}/prometheus`,
            logsRulerUrl: sink.url,
        },
        limits: { metricsWrite: unlimited, logsWrite: unlimited, query: unlimited, maxBodySize: "16m" },
        suspended: false,
        retryAfterSeconds: 300,
        runtime: { dir: oursDir, errorLog: join(oursDir, "error.log"), accessLog: "off" },
        workerProcesses: 2,
    };
    const ours = await startNginx({ prefix: oursDir, config: renderNginxConfig(params), ports: [oursPort] });
    const baseline = await startNginx({
        prefix: baseDir,
        config: renderBaselineNginx({ tenantId: "bench", listenPort: basePort, upstream: sink.url, runtimeDir: baseDir, tls }),
        ports: [basePort],
    });
    const clientTlsPaths = { caPath: join(clientTls, "ca.crt"), certPath: join(clientTls, "tls.crt"), keyPath: join(clientTls, "tls.key") };
    const urls: Record<PathName, string> = {
        direct: `${sink.url}/api/v1/push`,
        ours: `https://127.0.0.1:${oursPort}/api/v1/push`,
        baseline: `https://127.0.0.1:${basePort}/api/v1/push`,
    };

    const rows: string[] = [];
    try {
        // Warm-up: TLS session setup, nginx workers, JIT.
        for (const path of PATHS) await runLoad({ url: urls[path], concurrency: 4, payloadBytes: 100 * 1024, durationMs: 500, tls: clientTlsPaths });
        console.log(`gateway benchmark: ${DURATION_MS / 1000}s per cell; throughput in MiB/s of accepted payload`);
        console.log("payload  conc | direct  ours  baseline | ours/direct ours/baseline | added p50 ms  added p99 ms | errors");
        for (const payloadBytes of PAYLOADS) {
            for (const concurrency of CONCURRENCY) {
                const r = {} as Record<PathName, LoadResult>;
                for (const path of PATHS) {
                    r[path] = await runLoad({ url: urls[path], concurrency, payloadBytes, durationMs: DURATION_MS, tls: clientTlsPaths });
                }
                const errors = PATHS.map((p) => r[p].errors + Object.values(r[p].statuses).reduce((a, b) => a + b, 0));
                if (process.env.MLA_BENCH_DEBUG) console.log(JSON.stringify(r));
                const line =
                    `${String(payloadBytes / 1024).padStart(5)}K ${String(concurrency).padStart(5)} | ` +
                    `${mib(r.direct.bytesPerSecond).padStart(6)} ${mib(r.ours.bytesPerSecond).padStart(5)} ${mib(r.baseline.bytesPerSecond).padStart(9)} | ` +
                    `${(r.ours.bytesPerSecond / r.direct.bytesPerSecond).toFixed(2).padStart(11)} ${(r.ours.bytesPerSecond / r.baseline.bytesPerSecond).toFixed(2).padStart(13)} | ` +
                    `${(r.ours.p50Ms - r.direct.p50Ms).toFixed(2).padStart(12)} ${(r.ours.p99Ms - r.direct.p99Ms).toFixed(2).padStart(13)} | ` +
                    `${errors.join("/")}`;
                console.log(line);
                rows.push(line);
            }
        }
    } finally {
        await ours.stop();
        await baseline.stop();
        sink.close();
        rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
