/**
 * `npm run bench:gateway`: what the gateway costs on the write path, side by side in one run.
 *
 * Peers, each a separate server process pinned to one CPU (`taskset -c`) in its own one-CPU cgroup
 * (the pod's 1-CPU limit) and its own memory cgroup (read as the kubelet reads a container's), all
 * forwarding to the same sink (support/loadgen.c in sink mode: reads each body whole, answers 204):
 * - direct:     plain HTTP straight to the sink (reference only);
 * - floor:      the minimal nginx that terminates mTLS and streams (support/floor-nginx.ts);
 * - ours:       the rendered gateway config (components/gateway/nginx-config.ts), access log as deployed;
 * - haproxy:    HAProxy doing the same job (support/haproxy-config.ts);
 * - ours-today: ours with the settings before tuning (two workers, default body buffer).
 * More `ours-*` variants, one setting changed each, for tuning experiments: see
 * support/gateway-variants.ts.
 *
 * The load generator is compiled C with OpenSSL (support/loadgen.c), pinned to the other CPU with
 * the sink: TLS 1.3, AES-128-GCM offered first, kept-alive connections, concurrency 16, bodies of
 * remote-write sizes (35 KB and 280 KB; 1 MiB as a stress row). Cells alternate peers (the order
 * rotates per repetition) so drift on the shared machine hits every peer alike; every ratio is
 * taken within one repetition and reported as min/median/max over the repetitions.
 *
 * Then a handshake storm: 1,000 agents reconnecting at once, i.e. 1,000 full mTLS handshakes
 * (ECDSA P-256, no resumption) all started together, each followed by one tiny request so the
 * client certificate has been verified; gateway CPU per new connection from /proc. Handshakes
 * per second are bounded by the generator's own CPU (it does a full handshake too), so the
 * CPU per connection is the comparable figure.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    renderNginxConfig,
    DEFAULT_LIMITS,
    DEFAULT_WORKER_PROCESSES,
    type NginxConfigParams,
} from "../components/gateway/nginx-config";
import { makeClusterPki, writeTlsDir } from "../test/support/pki";
import { freePort } from "../test/support/ports";
import { renderFloorNginx } from "./support/floor-nginx";
import { renderHaproxyConfig } from "./support/haproxy-config";
import { GATEWAY_VARIANTS, variantConfig } from "./support/gateway-variants";
import {
    buildLoadgen,
    runLoadgen,
    startPinned,
    startPinnedNginx,
    type PinnedProcess,
    UNPRIVILEGED_USER,
    unprivilegedIds,
} from "./support/pinned";
import {
    type CgroupMemory,
    cgroupMemory,
    groupChargedBytes,
    groupCpuSeconds,
    groupMappedFileBytes,
    groupRssBytes,
} from "./support/proc-sampler";

const env = process.env;
const SECONDS = Number(env.MLA_BENCH_SECONDS ?? "3");
const REPS = Number(env.MLA_BENCH_REPS ?? "3");
const SIZES = (env.MLA_BENCH_SIZES ?? "35000,280000,1048576").split(",").map(Number);
const CONCURRENCY = Number(env.MLA_BENCH_CONCURRENCY ?? "16");
const HANDSHAKES = Number(env.MLA_BENCH_HANDSHAKES ?? "1000");
const HANDSHAKE_PARALLEL = Number(env.MLA_BENCH_HANDSHAKE_PARALLEL ?? "1000");
const GATEWAY_CPU = env.MLA_BENCH_GATEWAY_CPU ?? "1";
const LOAD_CPU = env.MLA_BENCH_LOAD_CPU ?? "0";
const PEERS = (env.MLA_BENCH_PEERS ?? "direct,floor,ours,haproxy,ours-today").split(",");
/** Width of the peer column: the longest peer name. */
const NAME_WIDTH = Math.max(11, ...PEERS.map((n) => n.length));
/** Width of a ratio's label (`  ours/<peer>`). */
const RATIO_WIDTH = Math.max(24, NAME_WIDTH + 9);
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

interface MemorySample {
    rss: number;
    charged: number;
    mappedFiles: number;
    cgroup?: CgroupMemory;
}

/**
 * Memory per gateway, idle after start and after load. The working set (the gateway's memory
 * cgroup, usage minus inactive file pages) is the kubelet's figure, which limits, evictions and
 * `kubectl top` use; summed RSS counts the libraries master and worker share once per process.
 */
function printMemory(
    gateways: { name: string }[],
    idle: Record<string, MemorySample>,
    after: Record<string, MemorySample>,
): void {
    console.log("\nmemory per gateway, MiB, idle after start / after load (idle again):");
    console.log("  working set = its memory cgroup's usage minus inactive file pages (the kubelet's figure); the");
    console.log("    libraries are charged to whoever read them first, here an earlier nginx, so they are not in it");
    console.log("  anon = the cgroup's anonymous memory; first on node = anon + the mapped binary, libraries and");
    console.log("    zones once (largest RssFile + RssShmem): the working set of a pod that reads its libraries first");
    console.log("  RSS = VmRSS of all its processes summed; charged = their RssAnon + file/shmem pages once");
    console.log(
        `${"peer".padEnd(NAME_WIDTH)} | working set   | anon          | first on node | summed RSS    | charged`,
    );
    const pair = (f: (m: MemorySample) => number | undefined, name: string) => {
        const [i, a] = [f(idle[name]), f(after[name])];
        return (i === undefined || a === undefined ? "-" : `${(i / MIB).toFixed(1)} / ${(a / MIB).toFixed(1)}`).padEnd(
            13,
        );
    };
    for (const { name } of gateways) {
        console.log(
            `${name.padEnd(NAME_WIDTH)} | ${pair((m) => m.cgroup?.workingSetBytes, name)} | ${pair((m) => m.cgroup?.anonBytes, name)} | ` +
                `${pair((m) => (m.cgroup ? m.cgroup.anonBytes + m.mappedFiles : undefined), name)} | ${pair((m) => m.rss, name)} | ${pair((m) => m.charged, name)}`,
        );
    }
}

interface LoadResult {
    requests: number;
    errors: number;
    non2xx: number;
    seconds: number;
    p50Ms: number;
    p99Ms: number;
}
interface Cell extends LoadResult {
    rps: number;
    cpuPerGiB: number;
    peakRss: number;
}
interface Peer {
    name: string;
    port: number;
    tls: boolean;
    proc?: PinnedProcess;
}

function stats(values: number[]): { min: number; median: number; max: number } {
    const s = [...values].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, max: s[s.length - 1] };
}

function fmt(values: number[], digits = 2): string {
    const { min, median, max } = stats(values);
    return `${median.toFixed(digits)} [${min.toFixed(digits)}–${max.toFixed(digits)}]`;
}

function uptime(): string {
    return execFileSync("uptime").toString().trim();
}

async function main(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "mla-bench-gateway-"));
    chmodSync(dir, 0o755);
    const loadgen = buildLoadgen(dir);
    const pki = await makeClusterPki("bench", { serverDnsNames: ["localhost"], serverIps: ["127.0.0.1"] });
    const serverTls = join(dir, "server-tls");
    const clientTls = join(dir, "client-tls");
    writeTlsDir(serverTls, { ca: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
    writeTlsDir(clientTls, { ca: pki.ca.certPem, cert: pki.metricsAgent.certPem, key: pki.metricsAgent.keyPem });
    writeFileSync(join(serverTls, "haproxy.pem"), `${pki.server.certPem.trim()}\n${pki.server.keyPem.trim()}\n`);
    chmodSync(serverTls, 0o755);
    const tls = {
        certPath: join(serverTls, "tls.crt"),
        keyPath: join(serverTls, "tls.key"),
        caPath: join(serverTls, "ca.crt"),
    };
    const clientArgs = [join(clientTls, "ca.crt"), join(clientTls, "tls.crt"), join(clientTls, "tls.key")];
    // nginx runs unprivileged, as in the pod (uid 101): it must be able to read the server key.
    const ids = unprivilegedIds();
    if (ids) execFileSync("chown", ["-R", `${ids.uid}:${ids.gid}`, serverTls]);

    const started: PinnedProcess[] = [];
    try {
        const sinkPort = await freePort();
        started.push(
            await startPinned({
                argv: [loadgen, "sink", String(sinkPort)],
                cpu: LOAD_CPU,
                ports: [sinkPort],
                stdoutFile: join(dir, "sink.log"),
                what: "sink",
            }),
        );
        const sink = `127.0.0.1:${sinkPort}`;
        const unlimited = { requestsPerSecond: 1_000_000, burst: 1_000_000 };
        const upstreams = {
            metricsPushUrl: `http://${sink}/api/v1/push`,
            logsPushUrl: `http://${sink}/loki/api/v1/push`,
            metricsQueryUrl: `http://${sink}/prometheus`,
            logsQueryUrl: `http://${sink}`,
            alertmanagerUrl: `http://${sink}`,
            metricsRulerUrl: `http://${sink}/prometheus`,
            logsRulerUrl: `http://${sink}`,
        };

        const peers: Peer[] = [];
        for (const name of PEERS) {
            const peerDir = join(dir, name);
            mkdirSync(peerDir);
            const port = await freePort();
            if (name === "direct") {
                peers.push({ name, port: sinkPort, tls: false });
            } else if (name === "floor") {
                const config = renderFloorNginx({
                    tenantId: "bench",
                    listenPort: port,
                    upstream: sink,
                    runtimeDir: peerDir,
                    accessLog: "/dev/stdout",
                    tls,
                });
                peers.push({
                    name,
                    port,
                    tls: true,
                    proc: await startPinnedNginx({
                        prefix: peerDir,
                        config,
                        cpu: GATEWAY_CPU,
                        ports: [port],
                        quota: true,
                        ids,
                    }),
                });
            } else if (name === "haproxy") {
                const cfg = join(peerDir, "haproxy.cfg");
                writeFileSync(
                    cfg,
                    renderHaproxyConfig({
                        tenantId: "bench",
                        listenPort: port,
                        upstream: sink,
                        certAndKeyPath: join(serverTls, "haproxy.pem"),
                        caPath: tls.caPath,
                        maxBodyBytes: 16 * MIB,
                    }),
                );
                execFileSync("haproxy", ["-c", "-q", "-f", cfg]);
                const proc = await startPinned({
                    argv: ["haproxy", "-db", "-f", cfg],
                    cpu: GATEWAY_CPU,
                    ports: [port],
                    stdoutFile: join(peerDir, "stdout.log"),
                    what: "haproxy",
                    quota: true,
                });
                peers.push({ name, port, tls: true, proc });
            } else if (name === "ours" || name in GATEWAY_VARIANTS) {
                const readPort = await freePort();
                const readTokenMapPath = join(peerDir, "read-token.map");
                writeFileSync(readTokenMapPath, "");
                const params: NginxConfigParams = {
                    tenantId: "bench",
                    writeListen: { host: "127.0.0.1", port },
                    readListen: { host: "127.0.0.1", port: readPort },
                    tls,
                    readTokenMapPath,
                    upstreams,
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
                peers.push({
                    name,
                    port,
                    tls: true,
                    proc: await startPinnedNginx({
                        prefix: peerDir,
                        config,
                        cpu: GATEWAY_CPU,
                        ports: [port, readPort],
                        quota: true,
                        env: variant?.env,
                        ids,
                    }),
                });
            } else {
                throw new Error(`unknown peer ${name}`);
            }
            if (peers[peers.length - 1].proc) started.push(peers[peers.length - 1].proc as PinnedProcess);
        }
        const gateways = peers.filter((p) => p.proc);
        const memory = (p: Peer): MemorySample => {
            const proc = p.proc as PinnedProcess;
            return {
                rss: groupRssBytes(proc.pid),
                charged: groupChargedBytes(proc.pid),
                mappedFiles: groupMappedFileBytes(proc.pid),
                cgroup: proc.memoryCgroup ? cgroupMemory(proc.memoryCgroup) : undefined,
            };
        };
        const idleRss = Object.fromEntries(gateways.map((p) => [p.name, memory(p)]));

        const load = (peer: Peer, bytes: number, seconds: number) =>
            runLoadgen<LoadResult>(loadgen, LOAD_CPU, [
                "load",
                "127.0.0.1",
                peer.port,
                "/api/v1/push",
                ...(peer.tls ? clientArgs : ["-", "-", "-"]),
                CONCURRENCY,
                bytes,
                seconds,
            ]);
        for (const peer of peers) await load(peer, SIZES[0], 1);

        const quota = gateways.every((p) => p.proc?.quota)
            ? "each in its own one-CPU cgroup (cfs quota 100ms/100ms)"
            : "WITHOUT a CPU cgroup (none could be created)";
        console.log(
            `gateway benchmark: ${SECONDS}s per cell, ${REPS} repetitions, concurrency ${CONCURRENCY}; gateways on CPU ${GATEWAY_CPU} ${quota}, load generator and sink on CPU ${LOAD_CPU}`,
        );
        for (const name of PEERS.filter((p) => p in GATEWAY_VARIANTS))
            console.log(`  ${name}: ours with ${GATEWAY_VARIANTS[name].what}`);
        console.log(
            ids
                ? `nginx peers run as ${UNPRIVILEGED_USER} (uid ${ids.uid}), as the pod runs as uid 101`
                : "nginx peers run as this user (the bench is not root or has no setpriv): as root, the worker also loads NSS libraries a pod does not",
        );
        console.log(`load at start: ${uptime()}`);
        // cells[size][peer] = one Cell per repetition
        const cells: Record<number, Record<string, Cell[]>> = {};
        for (let rep = 0; rep < REPS; rep++) {
            for (const bytes of SIZES) {
                cells[bytes] ??= {};
                const order = peers.map((_, i) => peers[(i + rep) % peers.length]);
                for (const peer of order) {
                    const pid = peer.proc?.pid;
                    let peakRss = 0;
                    const sampler = pid
                        ? setInterval(() => (peakRss = Math.max(peakRss, groupRssBytes(pid))), 250)
                        : undefined;
                    const cpu0 = pid ? groupCpuSeconds(pid) : 0;
                    const r = await load(peer, bytes, SECONDS);
                    const cpu = pid ? groupCpuSeconds(pid) - cpu0 : 0;
                    if (sampler) clearInterval(sampler);
                    if (r.errors + r.non2xx > 0)
                        console.log(`  ${peer.name} ${bytes}B rep ${rep + 1}: ${r.errors} errors, ${r.non2xx} non-2xx`);
                    const cell: Cell = {
                        ...r,
                        rps: r.requests / r.seconds,
                        cpuPerGiB: cpu / ((r.requests * bytes) / GIB),
                        peakRss,
                    };
                    (cells[bytes][peer.name] ??= []).push(cell);
                }
            }
        }
        const afterRss = Object.fromEntries(gateways.map((p) => [p.name, memory(p)]));

        const ratio = (bytes: number, a: string, b: string, f: (c: Cell) => number) =>
            cells[bytes][a].map((c, i) => f(c) / f(cells[bytes][b][i]));
        for (const bytes of SIZES) {
            console.log(`\n${bytes} B bodies: median [min–max] over ${REPS} repetitions`);
            console.log(
                `${"peer".padEnd(NAME_WIDTH)} | requests/s            | CPU s/GiB           | added p50 ms        | added p99 ms        | peak RSS MiB`,
            );
            for (const peer of peers) {
                const c = cells[bytes][peer.name];
                const d = cells[bytes].direct;
                const added = (f: (x: Cell) => number) => (d ? c.map((x, i) => f(x) - f(d[i])) : c.map(f));
                console.log(
                    `${peer.name.padEnd(NAME_WIDTH)} | ${fmt(
                        c.map((x) => x.rps),
                        0,
                    ).padEnd(21)} | ${(peer.proc ? fmt(c.map((x) => x.cpuPerGiB)) : "-").padEnd(19)} | ` +
                        `${(peer.proc ? fmt(added((x) => x.p50Ms)) : fmt(c.map((x) => x.p50Ms))).padEnd(19)} | ${(peer.proc ? fmt(added((x) => x.p99Ms)) : fmt(c.map((x) => x.p99Ms))).padEnd(19)} | ` +
                        `${
                            peer.proc
                                ? fmt(
                                      c.map((x) => x.peakRss / MIB),
                                      1,
                                  )
                                : "-"
                        }`,
                );
            }
            const has = (n: string) => n in cells[bytes];
            console.log("ratios (min / median / max):");
            for (const [a, b] of [
                ["ours", "floor"],
                ["ours", "haproxy"],
                ["ours", "ours-today"],
                ...PEERS.filter((p) => p in GATEWAY_VARIANTS && p !== "ours-today").map((p) => ["ours", p]),
            ]) {
                if (!has(a) || !has(b)) continue;
                const rps = stats(ratio(bytes, a, b, (c) => c.rps));
                const cpu = stats(ratio(bytes, a, b, (c) => c.cpuPerGiB));
                console.log(
                    `  ${a}/${b}`.padEnd(RATIO_WIDTH) +
                        `requests/s ${rps.min.toFixed(2)} / ${rps.median.toFixed(2)} / ${rps.max.toFixed(2)}   ` +
                        `CPU per GiB ${cpu.min.toFixed(2)} / ${cpu.median.toFixed(2)} / ${cpu.max.toFixed(2)}`,
                );
            }
        }
        printMemory(gateways, idleRss, afterRss);

        if (HANDSHAKES > 0) {
            console.log(
                `\nhandshake storm: ${HANDSHAKES} full mTLS handshakes (ECDSA P-256, no resumption), ${HANDSHAKE_PARALLEL} at a time`,
            );
            const storm: Record<string, { perSecond: number; cpuMs: number; peakRss: number; peakWs: number }[]> = {};
            const tlsPeers = gateways.filter((p) => ["floor", "ours", "haproxy"].includes(p.name));
            for (let rep = 0; rep < REPS; rep++) {
                for (const peer of tlsPeers.map((_, i) => tlsPeers[(i + rep) % tlsPeers.length])) {
                    const pid = (peer.proc as PinnedProcess).pid;
                    const cpu0 = groupCpuSeconds(pid);
                    let [peakRss, peakWs] = [0, 0];
                    const sampler = setInterval(() => {
                        const m = memory(peer);
                        peakRss = Math.max(peakRss, m.rss);
                        peakWs = Math.max(peakWs, m.cgroup?.workingSetBytes ?? 0);
                    }, 100);
                    const r = await runLoadgen<{ handshakes: number; errors: number; seconds: number }>(
                        loadgen,
                        LOAD_CPU,
                        ["handshake", "127.0.0.1", peer.port, ...clientArgs, HANDSHAKES, HANDSHAKE_PARALLEL],
                    );
                    clearInterval(sampler);
                    const cpu = groupCpuSeconds(pid) - cpu0;
                    if (r.errors > 0) console.log(`  ${peer.name} rep ${rep + 1}: ${r.errors} failed connections`);
                    (storm[peer.name] ??= []).push({
                        perSecond: r.handshakes / r.seconds,
                        cpuMs: (cpu * 1000) / Math.max(1, r.handshakes),
                        peakRss,
                        peakWs,
                    });
                }
            }
            const afterStorm = Object.fromEntries(tlsPeers.map((p) => [p.name, memory(p)]));
            console.log(
                `${"peer".padEnd(NAME_WIDTH)} | handshakes/s        | CPU ms per connection | peak working set MiB | peak summed RSS MiB | after: working set / summed RSS`,
            );
            for (const p of tlsPeers) {
                const after = afterStorm[p.name];
                const ws = after.cgroup ? (after.cgroup.workingSetBytes / MIB).toFixed(1) : "-";
                console.log(
                    `${p.name.padEnd(NAME_WIDTH)} | ${fmt(
                        storm[p.name].map((s) => s.perSecond),
                        0,
                    ).padEnd(19)} | ` +
                        `${fmt(
                            storm[p.name].map((s) => s.cpuMs),
                            3,
                        ).padEnd(21)} | ` +
                        `${fmt(
                            storm[p.name].map((s) => s.peakWs / MIB),
                            1,
                        ).padEnd(20)} | ` +
                        `${fmt(
                            storm[p.name].map((s) => s.peakRss / MIB),
                            1,
                        ).padEnd(19)} | ${ws} / ${(after.rss / MIB).toFixed(1)}`,
                );
            }
            for (const b of ["floor", "haproxy"]) {
                if (!storm.ours || !storm[b]) continue;
                const cpu = stats(storm.ours.map((s, i) => s.cpuMs / storm[b][i].cpuMs));
                const rate = stats(storm.ours.map((s, i) => s.perSecond / storm[b][i].perSecond));
                console.log(
                    `  ours/${b}`.padEnd(RATIO_WIDTH) +
                        `handshakes/s ${rate.min.toFixed(2)} / ${rate.median.toFixed(2)} / ${rate.max.toFixed(2)}   ` +
                        `CPU per connection ${cpu.min.toFixed(2)} / ${cpu.median.toFixed(2)} / ${cpu.max.toFixed(2)}`,
                );
            }
        }
        console.log(`\nload at end: ${uptime()}`);
    } finally {
        for (const p of started.reverse()) await p.stop();
        rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
