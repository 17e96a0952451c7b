/**
 * `npm run bench:agent`: what agent mode saves, measured side by side in one run.
 *
 * Two real Prometheus processes (Debian's) scrape the same synthetic load (K targets x M series)
 * with the same rendered config (components/agents/prometheus-config.ts, plus a static job for
 * the synthetic targets): one in agent mode, as the product deploys it, one in server mode with
 * its local TSDB. Debian's build has no Kubernetes discovery, so those jobs are swapped for empty
 * file discovery in both (test/agents/kubernetes-sd.ts); they find nothing in either mode outside
 * a cluster anyway. Each remote-writes to its own sink, which proves both did the work. The run
 * prints mean and peak RSS and CPU seconds of each, and the agent/server ratios.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPrometheusConfig } from "../components/agents/prometheus-config";
import { makeClusterPki, writeTlsDir } from "../test/support/pki";
import { freePort } from "../test/support/ports";
import { loadableBy } from "../test/agents/kubernetes-sd";
import { sampleProcess, type ProcUsage } from "./support/proc-sampler";
import { startSyntheticTargets } from "./support/synthetic-targets";

const TARGETS = Number(process.env.MLA_BENCH_TARGETS ?? "20");
const SERIES = Number(process.env.MLA_BENCH_SERIES ?? "5000");
const WARMUP_S = Number(process.env.MLA_BENCH_WARMUP_SECONDS ?? "30");
const MEASURE_S = Number(process.env.MLA_BENCH_SECONDS ?? "60");
const SCRAPE_INTERVAL = process.env.MLA_BENCH_SCRAPE_INTERVAL ?? "2s";

/** A remote-write receiver that counts what it accepted. */
async function startSink(): Promise<{ port: number; requests(): number; bytes(): number; close(): void }> {
    let requests = 0;
    let bytes = 0;
    const server = createServer((req, res) => {
        req.on("data", (d: Buffer) => (bytes += d.length));
        req.on("end", () => {
            requests++;
            res.writeHead(204).end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as AddressInfo).port, requests: () => requests, bytes: () => bytes, close: () => server.close() };
}

function mib(bytes: number): string {
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "mla-bench-agent-"));
    chmodSync(dir, 0o755);
    const targets = await startSyntheticTargets(TARGETS, SERIES);
    const pki = await makeClusterPki("bench");
    const tlsDir = join(dir, "tls");
    writeTlsDir(tlsDir, { ca: pki.ca.certPem, cert: pki.metricsAgent.certPem, key: pki.metricsAgent.keyPem });
    // Outside Kubernetes the service-account files do not exist; the SD jobs then log errors and
    // find nothing, in both modes alike, which is what `mla render agent` documents.
    const saDir = join(dir, "serviceaccount");
    mkdirSync(saDir);
    writeFileSync(join(saDir, "token"), "bench");
    writeFileSync(join(saDir, "ca.crt"), pki.ca.certPem);

    const procs: ChildProcess[] = [];
    const sinks = { agent: await startSink(), server: await startSink() };
    try {
        const usage: Record<"agent" | "server", ProcUsage> = {} as never;
        const samplers: Record<string, { stop(): ProcUsage }> = {};
        for (const mode of ["agent", "server"] as const) {
            const port = await freePort();
            const config = renderPrometheusConfig({
                clusterId: "bench",
                gatewayUrl: `http://127.0.0.1:${sinks[mode].port}`,
                tls: { caFile: join(tlsDir, "ca.crt"), certFile: join(tlsDir, "tls.crt"), keyFile: join(tlsDir, "tls.key") },
                scrapeInterval: SCRAPE_INTERVAL,
                serviceAccountDir: saDir,
                selfTarget: `127.0.0.1:${port}`,
                customScrapeConfigs: [{ job_name: "synthetic", static_configs: [{ targets: targets.addresses }] }],
            });
            const configPath = join(dir, `${mode}.yml`);
            const emptyTargets = join(dir, "no-targets.json");
            writeFileSync(emptyTargets, "[]");
            writeFileSync(configPath, loadableBy("promtool", config, emptyTargets));
            const storage = join(dir, `${mode}-data`);
            const args =
                mode === "agent"
                    ? ["--enable-feature=agent", `--storage.agent.path=${storage}`]
                    : [`--storage.tsdb.path=${storage}`];
            const child = spawn("prometheus", [`--config.file=${configPath}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=error", ...args], {
                stdio: ["ignore", "ignore", "pipe"],
            });
            let stderr = "";
            child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
            child.once("exit", (code) => {
                if (code !== null) console.error(`prometheus (${mode}) exited with ${code}:\n${stderr}`);
            });
            procs.push(child);
        }
        console.log(`agent benchmark: ${TARGETS} targets x ${SERIES} series every ${SCRAPE_INTERVAL}; warm-up ${WARMUP_S}s, measured ${MEASURE_S}s`);
        await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
        samplers.agent = sampleProcess(procs[0].pid as number);
        samplers.server = sampleProcess(procs[1].pid as number);
        const before = { agent: sinks.agent.requests(), server: sinks.server.requests() };
        await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
        usage.agent = samplers.agent.stop();
        usage.server = samplers.server.stop();
        for (const mode of ["agent", "server"] as const) {
            const u = usage[mode];
            const pushed = sinks[mode].requests() - before[mode];
            console.log(
                `${mode.padEnd(6)} mean RSS ${mib(u.meanRssBytes).padStart(10)}  peak RSS ${mib(u.peakRssBytes).padStart(10)}  ` +
                    `CPU ${u.cpuSeconds.toFixed(1)}s  remote-write requests ${pushed}`,
            );
            if (pushed === 0) throw new Error(`${mode}: no remote-write reached its sink; the comparison would be meaningless`);
        }
        console.log(`agent/server mean RSS ratio: ${(usage.agent.meanRssBytes / usage.server.meanRssBytes).toFixed(2)}`);
        console.log(`agent/server peak RSS ratio: ${(usage.agent.peakRssBytes / usage.server.peakRssBytes).toFixed(2)}`);
        console.log(`agent/server CPU ratio:      ${(usage.agent.cpuSeconds / usage.server.cpuSeconds).toFixed(2)}`);
    } finally {
        for (const p of procs) p.kill("SIGKILL");
        await targets.close();
        sinks.agent.close();
        sinks.server.close();
        rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
