/**
 * `npm run bench:service`: how fast the onboarding service accepts onboardings, and what a
 * registered cluster costs in memory.
 *
 * Each run starts the service as its own process (`support/service-child.ts`, the in-memory
 * executor keeping no log of its calls, 4 workers, a fresh data dir on the real disk), warms it
 * with MLA_BENCH_WARM (default 3,000) PUTs of other clusters from the burst's own client
 * (MLA_BENCH_WARM_CLIENT=mixed: half of them from `node:http`), and fires 1,000 PUTs of distinct
 * clusters at 100 in flight over real HTTP from
 * `putgen` (`support/putgen.c`, compiled, on one thread with epoll, so the generator takes about
 * 0.03 ms of CPU per request, not the 0.25-0.6 ms of a `node:http` one). Its 100 kept-alive connections each serve one probe
 * before the clock starts. It prints the total time, p50/p99 accept latency (send to
 * 202, which is sent only after the registry committed the operation), the service's CPU time
 * during the burst, the registry's commits, and the service's RSS and heap (after a full GC) with
 * no cluster registered and after all of them (warm-up and burst) are `ready`, per 1,000 clusters.
 *
 * Rows, alternating, MLA_BENCH_REPS (default 3) times each:
 * - `group`: the registry as deployed (one transaction, one fsync, per burst of writes);
 * - `per-write`: the same registry committing every write on its own (the peer);
 * - `floor`: the service's HTTP front alone (`support/service-floor.ts`: Fastify with the service's
 *   logging, answering 202 a turn later, no checks, registry or fsync), the latency any Fastify
 *   JSON API has on this machine; each repetition's `group` row is printed as a ratio to it;
 * The service logs as `mla serve` does (MLA_BENCH_LOG, below).
 * MLA_BENCH_MODES=group,floor selects rows; MLA_BENCH_HOLD=1 holds every operation in the
 * executor, so the burst measures the accept path alone (memory is then taken right after it); MLA_BENCH_NODE_ARGS passes node flags to the
 * service (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`); MLA_BENCH_LATENCIES=FILE has `putgen` append every
 * request's send time and latency to FILE.
 * - `journal`: with MLA_BENCH_BASELINE=DIR, the service of an older tree in DIR (e.g. the JSON-lines
 *   journal: `mkdir DIR && git archive d2771f9 | tar -x -C DIR && ln -s $PWD/node_modules DIR/`),
 *   shown as MLA_BENCH_BASELINE_NAME (e.g. `before` for the tree before a change).
 *
 * Every PUT carries its own user kubeconfig (random CA data and token, the size of a real
 * token-based kubeconfig) and its seed's kubeconfig, the same for every cluster of the seed, as a
 * fleet's clients send them. MLA_BENCH_SEED_KUBECONFIG=per-request sends a new seed kubeconfig
 * every time instead: the worst case, where nothing the service computes from one request can be
 * reused for the next.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { cpuSeconds } from "./support/proc-sampler";
import { buildC } from "./support/pinned";
import { benchBody, lines, putRaw, startBurst, untilReady } from "./support/service-load";
import { stats } from "./support/stats";
import type { Mode } from "./support/service-child";

const CLUSTERS = Number(process.env.MLA_BENCH_CLUSTERS ?? "1000");
const IN_FLIGHT = Number(process.env.MLA_BENCH_IN_FLIGHT ?? "100");
/**
 * PUTs of other clusters before the burst (IN_FLIGHT at once, their operations finished), so the
 * burst measures a running service, not its first requests compiling the request path. Without
 * any, the first 100 answers took 0.8 s. After 100 or 1,000, V8 was still optimising the request
 * path during the burst (78 optimising compilations after 1,000), on V8's helper threads on the same
 * two cores: 0.25-0.3 ms of CPU per PUT there, against 0.1 after 3,000. 0: a cold service.
 */
const WARM = Number(process.env.MLA_BENCH_WARM ?? "3000");
const REPS = Number(process.env.MLA_BENCH_REPS ?? "3");
/** The environment variable `name`: one of `choices`, the first when unset. */
function choice<T extends string>(name: string, choices: readonly [T, ...T[]]): T {
    const value = process.env[name] ?? choices[0];
    if (!(choices as readonly string[]).includes(value))
        throw new Error(`${name} must be ${choices.join(" or ")}, not ${value}`);
    return value as T;
}
/** MLA_BENCH_WARM_CLIENT: `putgen` (default: the burst's client) or `mixed` (half from `node:http`). */
const WARM_CLIENT = choice("MLA_BENCH_WARM_CLIENT", ["putgen", "mixed"]);
const BASELINE = process.env.MLA_BENCH_BASELINE;
/** The baseline row's name in the output (MLA_BENCH_BASELINE_NAME, e.g. `before`); selected as `journal`. */
const BASELINE_NAME = process.env.MLA_BENCH_BASELINE_NAME ?? "journal";
const label = (mode: Mode) => (mode === "journal" ? BASELINE_NAME : mode);
/** MLA_BENCH_HOLD=1: operations are held in the executor, so the burst measures the accept path alone. */
const HOLD = process.env.MLA_BENCH_HOLD === "1";
/**
 * MLA_BENCH_LOG: `deployed` (default) logs as `mla serve` does: at info (the access log and the
 * service's own lines), through pino's own destination on stdout, a pipe this process drains as a
 * container runtime would. `off` logs errors only, as every run before this knob did.
 */
const LOG = choice("MLA_BENCH_LOG", ["deployed", "off"]);
/** MLA_BENCH_SEED_KUBECONFIG: `per-seed` (default) or `per-request` (see above). */
const SEED_KUBECONFIG = choice("MLA_BENCH_SEED_KUBECONFIG", ["per-seed", "per-request"]);
const TOKEN = "bench-token-0123456789abcdefghij";
const MIB = 1024 * 1024;

interface Result {
    mode: Mode;
    totalMs: number;
    /** The service's CPU seconds during the burst. */
    cpuS: number;
    /** The load generator's (putgen's) CPU seconds during the burst. */
    clientCpuS: number;
    p50: number;
    p99: number;
    commits: number | null;
    /** Bytes the service logged during the burst. */
    logBytes: number;
    rssIdle: number;
    rssAfter: number;
    heapIdle: number;
    heapAfter: number;
}

async function run(mode: Mode, putgen: string): Promise<Result> {
    const dataDir = mkdtempSync(join(tmpdir(), "mla-bench-service-"));
    const root = mode === "journal" ? (BASELINE as string) : join(__dirname, "..");
    const proc = spawn(
        process.execPath,
        [
            ...(process.env.MLA_BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
            "--expose-gc",
            "-r",
            "ts-node/register/transpile-only",
            join(__dirname, "support", "service-child.ts"),
            mode,
            dataDir,
            root,
            // Room for every held operation (MLA_BENCH_HOLD=1): the warm-up's and the burst's.
            JSON.stringify({ hold: HOLD, token: TOKEN, queueLimit: (CLUSTERS + WARM) * 2, log: LOG }),
        ],
        // stdout: the service's log, read and dropped here as a container runtime reads it; fd 3: the child's reports.
        { stdio: ["ignore", "pipe", "inherit", "pipe"], cwd: join(__dirname, "..") },
    );
    let logBytes = 0;
    proc.stdout!.on("data", (chunk: Buffer) => (logBytes += chunk.length));
    const putsFile = join(dataDir, "..", `${basename(dataDir)}.puts`);
    try {
        const out = lines(proc, 3);
        const { port } = (await out.next()).value as { port: number };
        const base = `http://127.0.0.1:${port}`;
        const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
        // One body per cluster, each with its own user kubeconfig, built before the clock starts.
        const bodies = Array.from({ length: CLUSTERS }, (_, i) => JSON.stringify(benchBody(i, SEED_KUBECONFIG)));
        const warmBody = (i: number) => JSON.stringify(benchBody(CLUSTERS + i, SEED_KUBECONFIG));
        // Memory with no cluster registered yet (after a few reads, so the first requests' set-up is not counted).
        for (let i = 0; i < 20; i++) await (await fetch(`${base}/v1/clusters`, { headers })).arrayBuffer();
        proc.kill("SIGUSR2");
        const idle = (await out.next()).value as { heapUsed: number; rss: number };
        // The warm-up comes from the burst's own client (putgen), so the request path V8 compiled
        // is the one the burst takes; MLA_BENCH_WARM_CLIENT=mixed sends its first half from
        // `node:http` (other headers, in another order), as a service hearing from two kinds of client.
        const fromNode = WARM_CLIENT === "mixed" ? Math.floor(WARM / 2) : 0;
        const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
        let warmed = 0;
        await Promise.all(
            Array.from({ length: Math.min(IN_FLIGHT, fromNode) }, async () => {
                for (let i = warmed++; i < fromNode; i = warmed++) {
                    const status = await putRaw(agent, `${base}/v1/clusters/warm-${i}`, headers, warmBody(i));
                    if (status !== 202) throw new Error(`PUT warm-${i}: ${status}`);
                }
            }),
        );
        agent.destroy();
        if (WARM > fromNode) {
            const warm = await startBurst({
                bin: putgen,
                port,
                token: TOKEN,
                puts: Array.from({ length: WARM - fromNode }, (_, k) => ({
                    path: `/v1/clusters/warm-${fromNode + k}`,
                    body: warmBody(fromNode + k),
                })),
                inFlight: IN_FLIGHT,
                file: putsFile,
                recordLatencies: false,
            });
            const report = await warm.go();
            if (report.accepted !== WARM - fromNode)
                throw new Error(`warm-up: ${report.accepted} of ${WARM - fromNode} PUTs from putgen answered 202`);
        }
        // The floor registers nothing; held operations never become ready.
        const settles = mode !== "floor" && !HOLD;
        await untilReady(base, headers, "warm-", settles ? WARM : 0);
        proc.kill("SIGHUP");
        const before = (await out.next()).value as { commits: number | null };
        // The burst comes from putgen (compiled), over IN_FLIGHT connections opened before the clock starts.
        const burst = await startBurst({
            bin: putgen,
            port,
            token: TOKEN,
            puts: bodies.map((body, i) => ({ path: `/v1/clusters/bench-${i}`, body })),
            inFlight: IN_FLIGHT,
            file: putsFile,
        });
        const cpuBefore = cpuSeconds(proc.pid!);
        const logBefore = logBytes;
        const report = await burst.go();
        const cpuS = cpuSeconds(proc.pid!) - cpuBefore;
        const burstLogBytes = logBytes - logBefore;
        rmSync(putsFile, { force: true });
        if (report.accepted !== CLUSTERS)
            throw new Error(
                `burst: ${report.accepted} of ${CLUSTERS} PUTs answered 202 (first other status ${report.firstOther}, ${report.errors} connection errors)`,
            );
        await untilReady(base, headers, "bench-", settles ? CLUSTERS : 0);
        proc.kill("SIGUSR2");
        const after = (await out.next()).value as { heapUsed: number; rss: number; commits: number | null };
        // The burst's commits (its operations' included, unless held).
        const commits = after.commits !== null && before.commits !== null ? after.commits - before.commits : null;
        proc.kill("SIGTERM");
        await out.next();
        await new Promise((r) => proc.once("exit", r));
        rmSync(dataDir, { recursive: true, force: true });
        return {
            mode,
            totalMs: report.seconds * 1000,
            cpuS,
            clientCpuS: report.cpuSeconds,
            p50: report.p50Ms,
            p99: report.p99Ms,
            commits,
            logBytes: burstLogBytes,
            rssIdle: idle.rss,
            rssAfter: after.rss,
            heapIdle: idle.heapUsed,
            heapAfter: after.heapUsed,
        };
    } catch (e) {
        // A failed run leaves no service running and nothing on disk.
        proc.kill("SIGKILL");
        rmSync(putsFile, { force: true });
        rmSync(dataDir, { recursive: true, force: true });
        throw e;
    }
}

/** MiB per 1,000 clusters of a growth measured from none to WARM + CLUSTERS registered. */
const perThousand = (bytes: number) => (bytes / MIB) * (1000 / (WARM + CLUSTERS));

/** `min / median / max` of `xs`. */
const stat = (xs: number[], digits = 0) => {
    const { min, median, max } = stats(xs);
    return `${min.toFixed(digits)} / ${median.toFixed(digits)} / ${max.toFixed(digits)}`;
};

async function main(): Promise<void> {
    const all: Mode[] = ["group", "per-write", "floor", ...(BASELINE ? (["journal"] as const) : [])];
    const modes = process.env.MLA_BENCH_MODES
        ? all.filter((m) => process.env.MLA_BENCH_MODES!.split(",").includes(m))
        : all;
    const results: Result[] = [];
    console.log(
        `bench:service: ${CLUSTERS} PUTs at ${IN_FLIGHT} in flight${HOLD ? " (operations held: accept path only)" : ""}, log ${LOG}, seed kubeconfig ${SEED_KUBECONFIG}, ${REPS} reps per row, alternating; load average before: ${loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")}`,
    );
    const putgenDir = mkdtempSync(join(tmpdir(), "mla-bench-putgen-"));
    const putgen = buildC(putgenDir, "putgen");
    try {
        for (let rep = 0; rep < REPS; rep++) {
            for (const mode of modes) {
                const r = await run(mode, putgen);
                results.push(r);
                console.log(
                    `  rep ${rep + 1} ${label(mode).padEnd(9)} total ${r.totalMs.toFixed(0)} ms (service CPU ${r.cpuS.toFixed(2)} s, generator CPU ${r.clientCpuS.toFixed(2)} s), p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, commits ${r.commits ?? "n/a"}, log ${(r.logBytes / 1024).toFixed(0)} KiB, RSS ${(r.rssIdle / MIB).toFixed(1)} -> ${(r.rssAfter / MIB).toFixed(1)} MiB, heap after GC ${(r.heapIdle / MIB).toFixed(1)} -> ${(r.heapAfter / MIB).toFixed(1)} MiB`,
                );
            }
        }
    } finally {
        rmSync(putgenDir, { recursive: true, force: true });
    }
    console.log(
        `\n| row | total ms (min / median / max) | service CPU s | p50 ms | p99 ms | commits | RSS per 1000 clusters, MiB | heap per 1000 clusters (after GC), MiB |`,
    );
    console.log("|---|---|---|---|---|---|---|---|");
    for (const mode of modes) {
        const rs = results.filter((r) => r.mode === mode);
        const commits = rs.map((r) => r.commits).filter((c): c is number => c !== null);
        console.log(
            `| ${label(mode)} | ${stat(rs.map((r) => r.totalMs))} | ${stat(
                rs.map((r) => r.cpuS),
                2,
            )} | ${stat(
                rs.map((r) => r.p50),
                1,
            )} | ${stat(
                rs.map((r) => r.p99),
                1,
            )} | ${commits.length ? stat(commits) : "n/a"} | ${stat(
                rs.map((r) => perThousand(r.rssAfter - r.rssIdle)),
                1,
            )} | ${stat(
                rs.map((r) => perThousand(r.heapAfter - r.heapIdle)),
                1,
            )} |`,
        );
    }
    const group = results.filter((r) => r.mode === "group");
    const floor = results.filter((r) => r.mode === "floor");
    if (group.length > 0 && floor.length === group.length) {
        // Each repetition's group row beside the floor row run next to it.
        const ratio = (pick: (r: Result) => number, digits = 2) =>
            stat(
                group.map((g, i) => pick(g) / pick(floor[i])),
                digits,
            );
        console.log(
            `\ngroup / floor, per repetition (min / median / max): total ${ratio((r) => r.totalMs)}, p50 ${ratio((r) => r.p50)}, p99 ${ratio((r) => r.p99)}, CPU ${ratio((r) => r.cpuS)}`,
        );
    }
    const total = stats(group.map((r) => r.totalMs)).median;
    const p99 = stats(group.map((r) => r.p99)).median;
    const asTargeted = CLUSTERS === 1000 && IN_FLIGHT === 100;
    if (!asTargeted) console.log("\n(the targets are for 1,000 onboardings at 100 in flight; this run is not judged)");
    else
        console.log(
            `\ntargets (group, median): total ${total.toFixed(0)} ms ${total < 1000 ? "<" : ">="} 1000 ms: ${total < 1000 ? "met" : "MISSED"}; p99 ${p99.toFixed(1)} ms ${p99 < 50 ? "<" : ">="} 50 ms: ${p99 < 50 ? "met" : "MISSED"}`,
        );
    console.log(
        `load average after: ${loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")}`,
    );
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
