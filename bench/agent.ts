/**
 * `npm run bench:agent`: which metrics agent is lighter at equal samples delivered, side by side
 * in one run.
 *
 * Real agents scrape the same synthetic load (K targets x M series, support/synthetic-targets.ts)
 * with the same rendered jobs (prometheus-config.ts / vmagent-config.ts plus a static job for the
 * targets), each remote-writing to its own sink:
 * - vmagent (Debian's victoria-metrics), as `monitoring.agent: vmagent` deploys it;
 * - Prometheus in agent mode (Debian's prometheus), as `monitoring.agent: prometheus` does;
 * - with MLA_BENCH_SERVER=1, also Prometheus in server mode (the old agent-vs-server comparison).
 * Debian's Prometheus has no Kubernetes discovery, so its Kubernetes jobs become empty file
 * discovery (test/agents/kubernetes-sd.ts); vmagent keeps them and finds nothing outside a
 * cluster. The sinks decode every body and count samples, so "equal samples" is measured, not
 * assumed. RSS and CPU come from /proc, sampled every 0.5 s after the warm-up.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPrometheusConfig } from "../components/agents/prometheus-config";
import { renderVmagentConfig, vmagentFlags } from "../components/agents/vmagent-config";
import { parseDuration } from "../spec/validation";
import { makeClusterPki, writeTlsDir } from "../test/support/pki";
import { freePort } from "../test/support/ports";
import { loadableBy } from "../test/agents/kubernetes-sd";
import { sampleProcess, type ProcUsage } from "./support/proc-sampler";
import { countRemoteWrite } from "./support/remote-write-count";
import { startSyntheticTargets } from "./support/synthetic-targets";

const env = process.env;
const TARGETS = Number(env.MLA_BENCH_TARGETS ?? "20");
const SERIES = (env.MLA_BENCH_SERIES ?? "5000").split(",").map(Number);
const WARMUP_S = Number(env.MLA_BENCH_WARMUP_SECONDS ?? "45");
const MEASURE_S = Number(env.MLA_BENCH_SECONDS ?? "60");
const SCRAPE_INTERVAL = env.MLA_BENCH_SCRAPE_INTERVAL ?? "15s";
const MODES = ["vmagent", "prometheus", ...(env.MLA_BENCH_SERVER === "1" ? ["server"] : [])] as const;
type Mode = (typeof MODES)[number];
const MIB = 1024 * 1024;

interface Sink {
    port: number;
    requests: number;
    samples: number;
    bytes: number;
    close(): void;
}

/** A remote-write receiver that decodes each body and counts what it accepted. */
async function startSink(): Promise<Sink> {
    const sink = { port: 0, requests: 0, samples: 0, bytes: 0, close: () => undefined as void };
    const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (d: Buffer) => chunks.push(d));
        req.on("end", () => {
            const body = Buffer.concat(chunks);
            try {
                sink.samples += countRemoteWrite(body).samples;
                sink.requests++;
                sink.bytes += body.length;
                res.writeHead(204).end();
            } catch (e) {
                res.writeHead(400).end(String(e));
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    sink.port = (server.address() as AddressInfo).port;
    sink.close = () => server.close();
    return sink;
}

function stats(values: number[]): string {
    const s = [...values].sort((a, b) => a - b);
    return `${s[0].toFixed(2)} / ${s[Math.floor(s.length / 2)].toFixed(2)} / ${s[s.length - 1].toFixed(2)}`;
}

/** Samples RSS of several processes at the same instants, so per-instant ratios can be taken. */
function sampleTogether(pids: Record<string, number>): { stop(): Record<string, number[]> } {
    const rss: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
    const timer = setInterval(() => {
        for (const [k, pid] of Object.entries(pids)) {
            try {
                const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
                rss[k].push(m ? Number(m[1]) * 1024 : 0);
            } catch {
                rss[k].push(0);
            }
        }
    }, 1000);
    return { stop: () => (clearInterval(timer), rss) };
}

async function runOnce(series: number, dir: string, tlsDir: string, saDir: string): Promise<void> {
    const targets = await startSyntheticTargets(TARGETS, series);
    const procs: ChildProcess[] = [];
    const sinks = {} as Record<Mode, Sink>;
    const pids = {} as Record<Mode, number>;
    const tls = { caFile: join(tlsDir, "ca.crt"), certFile: join(tlsDir, "tls.crt"), keyFile: join(tlsDir, "tls.key") };
    const synthetic = [{ job_name: "synthetic", static_configs: [{ targets: targets.addresses }] }];
    try {
        for (const mode of MODES) {
            sinks[mode] = await startSink();
            const port = await freePort();
            const data = join(dir, `${mode}-${series}`);
            mkdirSync(data, { recursive: true });
            const common = {
                clusterId: "bench",
                scrapeInterval: SCRAPE_INTERVAL,
                serviceAccountDir: saDir,
                selfTarget: `127.0.0.1:${port}`,
                customScrapeConfigs: synthetic,
            };
            let bin: string;
            let args: string[];
            if (mode === "vmagent") {
                const config = join(data, "vmagent.yml");
                writeFileSync(config, renderVmagentConfig(common));
                bin = "vmagent";
                args = [
                    ...vmagentFlags({
                        configFile: config,
                        gatewayUrl: `http://127.0.0.1:${sinks[mode].port}`,
                        tls,
                        dataDir: join(data, "buffer"),
                        listenAddress: `127.0.0.1:${port}`,
                    }),
                    "-loggerLevel=FATAL",
                ];
            } else {
                const config = join(data, "prometheus.yml");
                const text = renderPrometheusConfig({
                    ...common,
                    gatewayUrl: `http://127.0.0.1:${sinks[mode].port}`,
                    tls,
                });
                writeFileSync(config, loadableBy("promtool", text, join(data, "no-targets.json")));
                bin = "prometheus";
                const storage =
                    mode === "prometheus"
                        ? ["--enable-feature=agent", `--storage.agent.path=${join(data, "wal")}`]
                        : [`--storage.tsdb.path=${join(data, "tsdb")}`];
                args = [
                    `--config.file=${config}`,
                    `--web.listen-address=127.0.0.1:${port}`,
                    "--log.level=error",
                    ...storage,
                ];
            }
            const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
            let stderr = "";
            child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
            child.once("exit", (code) => {
                if (code !== null && code !== 0) console.error(`${mode} exited with ${code}:\n${stderr}`);
            });
            procs.push(child);
            pids[mode] = child.pid as number;
        }
        console.log(
            `\n${TARGETS} targets x ${series} series = ${TARGETS * series} series every ${SCRAPE_INTERVAL}; warm-up ${WARMUP_S}s, measured ${MEASURE_S}s`,
        );
        await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
        const samplers = Object.fromEntries(MODES.map((m) => [m, sampleProcess(pids[m])])) as Record<
            Mode,
            { stop(): ProcUsage }
        >;
        const together = sampleTogether(pids);
        const before = Object.fromEntries(MODES.map((m) => [m, { ...sinks[m] }])) as Record<Mode, Sink>;
        await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
        const rss = together.stop();
        const usage = Object.fromEntries(MODES.map((m) => [m, samplers[m].stop()])) as Record<Mode, ProcUsage>;
        const delivered = {} as Record<Mode, { samples: number; requests: number; bytes: number }>;
        for (const mode of MODES) {
            const d = {
                samples: sinks[mode].samples - before[mode].samples,
                requests: sinks[mode].requests - before[mode].requests,
                bytes: sinks[mode].bytes - before[mode].bytes,
            };
            delivered[mode] = d;
            const u = usage[mode];
            console.log(
                `${mode.padEnd(10)} RSS mean ${(u.meanRssBytes / MIB).toFixed(1).padStart(6)} MiB  peak ${(u.peakRssBytes / MIB).toFixed(1).padStart(6)} MiB  ` +
                    `CPU ${u.cpuSeconds.toFixed(1).padStart(5)} s  samples/s ${(d.samples / MEASURE_S).toFixed(0).padStart(6)}  requests ${String(d.requests).padStart(5)}  ` +
                    `KB/request ${(d.bytes / Math.max(1, d.requests) / 1024).toFixed(1)}`,
            );
            if (d.samples === 0)
                throw new Error(`${mode}: no samples reached its sink; the comparison would be meaningless`);
        }
        // Every agent should deliver every scraped sample: series / interval, plus its own metrics.
        const expected = (TARGETS * series) / ((parseDuration(SCRAPE_INTERVAL) as number) / 1000);
        const behind = MODES.filter((m) => delivered[m].samples / MEASURE_S < 0.95 * expected);
        console.log(`expected at least ${expected.toFixed(0)} samples/s from the synthetic targets`);
        if (behind.length > 0)
            console.log(
                `NOT COMPARABLE: ${behind.join(", ")} delivered less than 95% of that (the machine could not keep up)`,
            );
        const a = "vmagent";
        for (const b of MODES.filter((m) => m !== a)) {
            const perInstant = rss[a].map((x, i) => x / rss[b][i]).filter((r) => Number.isFinite(r) && r > 0);
            console.log(
                `${a}/${b}: RSS min/median/max ${stats(perInstant)}  mean ${(usage[a].meanRssBytes / usage[b].meanRssBytes).toFixed(2)}  peak ${(usage[a].peakRssBytes / usage[b].peakRssBytes).toFixed(2)}`,
            );
            console.log(
                `${" ".repeat(a.length + b.length + 2)} CPU ${(usage[a].cpuSeconds / usage[b].cpuSeconds).toFixed(2)}  samples delivered ${(delivered[a].samples / delivered[b].samples).toFixed(3)}  ` +
                    `requests ${(delivered[a].requests / delivered[b].requests).toFixed(2)}`,
            );
        }
    } finally {
        for (const p of procs) p.kill("SIGKILL");
        await targets.close();
        for (const s of Object.values(sinks)) s.close();
    }
}

async function main(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "mla-bench-agent-"));
    chmodSync(dir, 0o755);
    const pki = await makeClusterPki("bench");
    const tlsDir = join(dir, "tls");
    writeTlsDir(tlsDir, { ca: pki.ca.certPem, cert: pki.metricsAgent.certPem, key: pki.metricsAgent.keyPem });
    // Outside Kubernetes the service-account files must exist for the configs to load; the
    // Kubernetes jobs then find nothing, for every agent alike.
    const saDir = join(dir, "serviceaccount");
    writeTlsDir(saDir, { ca: pki.ca.certPem, cert: "", key: "" });
    writeFileSync(join(saDir, "token"), "bench");
    const versions = [
        spawnSync("vmagent", ["-version"], { encoding: "utf8" }),
        spawnSync("prometheus", ["--version"], { encoding: "utf8" }),
    ]
        .map((r) => `${r.stdout}${r.stderr}`.split("\n")[0].trim())
        .join("; ");
    console.log(`agent benchmark: ${MODES.join(", ")}; ${versions}`);
    console.log(`load at start: ${execFileSync("uptime").toString().trim()}`);
    try {
        for (const series of SERIES) await runOnce(series, dir, tlsDir, saDir);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    console.log(`\nload at end: ${execFileSync("uptime").toString().trim()}`);
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
