/**
 * `npm run bench:gateway`: what the gateway costs on the write path, side by side in one run.
 *
 * Peers, each a separate server process pinned to one CPU (`taskset -c`) in its own one-CPU cgroup
 * (the pod's 1-CPU limit) and its own memory cgroup (read as the kubelet reads a container's), all
 * forwarding to the same sink (support/sink.c: reads each body whole, answers 204):
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
 * Memory per gateway idle and after load (support/gateway-memory.ts), then a handshake storm of
 * 1,000 agents reconnecting at once (support/gateway-storm.ts), then 400 idle agent connections
 * held open and closed (what each costs, and what stays after they close). nginx peers run as an
 * unprivileged user, as the pod does. Environment: MLA_BENCH_PEERS, _SECONDS, _REPS, _SIZES,
 * _CONCURRENCY, _HANDSHAKES, _HANDSHAKE_PARALLEL, _IDLE, _GATEWAY_CPU, _LOAD_CPU.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeClusterPki, writeTlsDir } from "../test/support/pki";
import { freePort } from "../test/support/ports";
import { type Peer, startPeer } from "./support/gateway-peers";
import { GATEWAY_VARIANTS } from "./support/gateway-variants";
import {
    buildC,
    buildLoadgen,
    runLoadgen,
    startPinned,
    type PinnedProcess,
    UNPRIVILEGED_USER,
    unprivilegedIds,
} from "./support/pinned";
import { type MemorySample, idleConnections, memorySample, printMemory } from "./support/gateway-memory";
import { handshakeStorm } from "./support/gateway-storm";
import { fmt, stats } from "./support/stats";
import { groupCpuSeconds, groupRssBytes } from "./support/proc-sampler";

const env = process.env;
const SECONDS = Number(env.MLA_BENCH_SECONDS ?? "3");
const REPS = Number(env.MLA_BENCH_REPS ?? "3");
const SIZES = (env.MLA_BENCH_SIZES ?? "35000,280000,1048576").split(",").map(Number);
const CONCURRENCY = Number(env.MLA_BENCH_CONCURRENCY ?? "16");
const HANDSHAKES = Number(env.MLA_BENCH_HANDSHAKES ?? "1000");
const HANDSHAKE_PARALLEL = Number(env.MLA_BENCH_HANDSHAKE_PARALLEL ?? "1000");
/** Idle agent connections held against floor, ours and HAProxy (the floor's 512 worker_connections bound it). */
const IDLE_CONNECTIONS = Number(env.MLA_BENCH_IDLE ?? "400");
const GATEWAY_CPU = env.MLA_BENCH_GATEWAY_CPU ?? "1";
const LOAD_CPU = env.MLA_BENCH_LOAD_CPU ?? "0";
const PEERS = (env.MLA_BENCH_PEERS ?? "direct,floor,ours,haproxy,ours-today").split(",");
/** Width of the peer column: the longest peer name. */
const NAME_WIDTH = Math.max(11, ...PEERS.map((n) => n.length));
/** Width of a ratio's label (`  ours/<peer>`). */
const RATIO_WIDTH = Math.max(24, NAME_WIDTH + 9);
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

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
    /** CPU seconds the gateway used per second of the cell: 1.0 is all of its one-CPU quota. */
    cpuShare: number;
    peakRss: number;
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
                argv: [buildC(dir, "sink"), String(sinkPort)],
                cpu: LOAD_CPU,
                ports: [sinkPort],
                stdoutFile: join(dir, "sink.log"),
                what: "sink",
            }),
        );
        const peers: Peer[] = [];
        for (const name of PEERS) {
            const peer = await startPeer(name, {
                dir,
                sinkPort,
                tls,
                haproxyPem: join(serverTls, "haproxy.pem"),
                cpu: GATEWAY_CPU,
                ids,
            });
            peers.push(peer);
            if (peer.proc) started.push(peer.proc);
        }
        const gateways = peers.filter((p) => p.proc);
        const memory = (p: Peer): MemorySample => {
            const proc = p.proc as PinnedProcess;
            return memorySample(proc.pid, proc.memoryCgroup);
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
        console.log(
            "CPU used = the gateway's CPU seconds per second of a cell: 1.00 is its whole one-CPU quota; below that it waited, for the client or for a CPU that other work held",
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
                        cpuShare: cpu / r.seconds,
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
                `${"peer".padEnd(NAME_WIDTH)} | requests/s            | CPU s/GiB           | CPU used         | added p50 ms        | added p99 ms        | peak RSS MiB`,
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
                        `${(peer.proc ? fmt(c.map((x) => x.cpuShare)) : "-").padEnd(16)} | ` +
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
        printMemory({ gateways, idle: idleRss, after: afterRss, nameWidth: NAME_WIDTH });

        if (HANDSHAKES > 0) {
            await handshakeStorm({
                loadgen,
                cpu: LOAD_CPU,
                peers: gateways
                    .filter((p) => ["floor", "ours", "haproxy"].includes(p.name))
                    .map((p) => ({
                        name: p.name,
                        port: p.port,
                        pid: (p.proc as PinnedProcess).pid,
                        sample: () => memory(p),
                    })),
                clientArgs,
                handshakes: HANDSHAKES,
                parallel: HANDSHAKE_PARALLEL,
                reps: REPS,
                nameWidth: NAME_WIDTH,
                ratioWidth: RATIO_WIDTH,
            });
        }
        if (IDLE_CONNECTIONS > 0) {
            await idleConnections({
                loadgen,
                cpu: LOAD_CPU,
                // ours-trim too, when it runs: whether the glibc tunables return what closed connections held.
                peers: gateways
                    .filter((p) => ["floor", "ours", "haproxy", "ours-trim"].includes(p.name))
                    .map((p) => ({ name: p.name, port: p.port, sample: () => memory(p) })),
                clientArgs,
                connections: IDLE_CONNECTIONS,
                bytes: SIZES[0],
                nameWidth: NAME_WIDTH,
            });
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
