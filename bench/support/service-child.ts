/**
 * The service side of `npm run bench:service`: `mla serve`'s app from a tree (this one, or a
 * baseline's), with the in-memory executor and 4 workers, or the floor (`service-floor.ts`), in
 * its own process. It prints its port as a JSON line on fd 3 (stdout carries its log); SIGUSR2
 * prints heap and RSS after a full GC, SIGHUP the registry's commit count (null for the floor),
 * SIGTERM the count and closes; MLA_BENCH_GC_LOG=FILE logs every garbage collection. Started by `bench/service.ts` as
 * `service-child.ts <mode> <dataDir> <root> <options JSON>`.
 */
import { appendFileSync, existsSync, writeSync } from "node:fs";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { join } from "node:path";
import { buildFloor } from "./service-floor";

/**
 * `group` and `per-write`: this tree's registry in either commit mode; `journal`: a baseline tree;
 * `floor`: the service's HTTP front alone (`service-floor.ts`).
 */
export type Mode = "group" | "per-write" | "journal" | "floor";

/** What the parent decides for the child. */
export interface ChildOptions {
    /** Hold every operation in the executor, so only the accept path runs. */
    hold: boolean;
    /** The API token. */
    token: string;
    /** Operations queued at most (room for every held one). */
    queueLimit: number;
    /** `deployed`: at info, to stdout as `mla serve` logs (a pipe the parent drains); `off`: errors only. */
    log: "deployed" | "off";
}

/**
 * Imports the first of `candidates` (paths under `root`, without extension) that exists: a
 * baseline tree may predate the move of the service into `service/{http,store}` and `executors/`.
 */
async function importFrom<T>(root: string, candidates: string[]): Promise<T> {
    const found = candidates.find((c) => existsSync(join(root, `${c}.ts`)));
    if (!found) throw new Error(`none of ${candidates.join(", ")} under ${root}`);
    return (await import(join(root, found))) as T;
}

/** A line to the parent, on fd 3: stdout is the service's log, as in a pod. */
const say = (line: string) => writeSync(3, line);

/** What the child serves: the service's app and, when it has one, its registry (for the commit count). */
interface Served {
    app: import("fastify").FastifyInstance;
    registry?: unknown;
}

/** The log level of `options.log`. */
const levelOf = (options: ChildOptions) => (options.log === "deployed" ? "info" : "error");

/** The service's app from `root`'s service/http/app.ts. */
async function service(mode: Mode, dataDir: string, root: string, options: ChildOptions): Promise<Served> {
    const registryModule = await importFrom<typeof import("../../service/store/registry")>(root, [
        "service/store/registry",
        "server/registry",
    ]);
    if (mode === "per-write") registryModule.registryDefaults.commit = "per-write";
    const { buildApp } = await importFrom<typeof import("../../service/http/app")>(root, [
        "service/http/app",
        "server/app",
    ]);
    const { MemoryExecutor } = await importFrom<typeof import("../../executors/memory/executor-memory")>(root, [
        "executors/memory/executor-memory",
        "server/executor-memory",
    ]);
    return buildApp({
        dataDir,
        executor: new MemoryExecutor({
            delayMs: 5,
            // The test double's log of every call (each spec, both kubeconfigs) is not the service's memory.
            keepCalls: false,
            ...(options.hold ? { gate: () => new Promise<void>(() => undefined) } : {}),
        }),
        token: options.token,
        workers: 4,
        queueLimit: options.queueLimit,
        // No stream: pino's own destination on stdout, as `mla serve` (main.ts) has.
        log: { level: levelOf(options) },
    });
}

/** Builds the service (or the floor), serves it on a port and reports to the parent (see the file's comment). */
async function child(mode: Mode, dataDir: string, root: string, options: ChildOptions): Promise<void> {
    const built =
        mode === "floor" ? { app: buildFloor(levelOf(options)) } : await service(mode, dataDir, root, options);
    // MLA_BENCH_GC_LOG=FILE: every garbage collection's end (epoch ms), kind (Node's
    // NODE_PERFORMANCE_GC_*: 1 scavenge, 4 mark-compact, 8 incremental marking, 16 weak callbacks)
    // and pause (ms), to set beside putgen's MLA_BENCH_LATENCIES. Each is one synchronous append on
    // the event loop (a handful per burst), so leave it unset for the figures of record.
    const gcLog = process.env.MLA_BENCH_GC_LOG;
    if (gcLog) {
        new PerformanceObserver((list) => {
            for (const e of list.getEntries()) {
                const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
                appendFileSync(
                    gcLog,
                    `${Math.round(e.startTime + e.duration + performance.timeOrigin)} ${kind} ${e.duration.toFixed(2)}\n`,
                );
            }
        }).observe({ entryTypes: ["gc"] });
    }
    await built.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = built.app.server.address() as { port: number };
    say(`${JSON.stringify({ port })}\n`);
    // SIGUSR2: heap and RSS after a full GC, on demand (the memory registered clusters cost,
    // without GC noise); SIGHUP: the commit count alone. A forced GC is never taken just before
    // the burst: it threw away optimised code, and V8 compiled again during the burst (0.2 ms
    // more CPU per PUT on the helper threads).
    const commits = () => (built.registry as { commits?: number } | undefined)?.commits ?? null;
    process.on("SIGUSR2", () => {
        (globalThis as { gc?: () => void }).gc?.();
        const { heapUsed, rss } = process.memoryUsage();
        say(`${JSON.stringify({ heapUsed, rss, commits: commits() })}\n`);
    });
    process.on("SIGHUP", () => say(`${JSON.stringify({ commits: commits() })}\n`));
    process.once("SIGTERM", () => {
        say(`${JSON.stringify({ commits: commits() })}\n`);
        built.app.close().then(() => process.exit(0));
    });
}

if (require.main === module) {
    const [mode, dataDir, root, options] = process.argv.slice(2);
    child(mode as Mode, dataDir, root, JSON.parse(options) as ChildOptions).catch((e: unknown) => {
        console.error(e);
        process.exit(1);
    });
}
