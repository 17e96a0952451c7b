/**
 * Whether the service can run stack operations now, probed at most once per few seconds: the
 * executor's checks (CLI, backend, secrets, provider plugins) and the registry. `/readyz` shows
 * the report, and mutating routes refuse work with 503 while it is not ready, so nothing is
 * accepted that must fail. Seed stacks are reported beside it: one unreadable seed breaks only
 * the clusters on it, so it does not make the whole service unready.
 */
import type { ReadyCheck } from "../../executors/executor";

/** What `/readyz` answers. */
export interface ReadyReport {
    ready: boolean;
    /** "ready", or every failing check as `name: what to do`. */
    message: string;
    checks: ReadyCheck[];
    /** One check per seed stack cluster stacks reference: is it readable in the backend. */
    seeds: ReadyCheck[];
    /** When the probe ran (ISO 8601); the same report is served until it is `ttlMs` old. */
    checkedAt: string;
}

/** How readiness is probed. */
export interface ReadinessOptions {
    /** The checks that gate operations. */
    probe(): Promise<ReadyCheck[]>;
    /** The seed checks (reported, not gating). Defaults to none. */
    seeds?(): Promise<ReadyCheck[]>;
    /** How long a report is reused, in ms. Defaults to 5000. */
    ttlMs?: number;
    /** How long seed checks are reused, in ms (each may start a CLI per seed). Defaults to 60000. */
    seedsTtlMs?: number;
    /** The clock (tests). Defaults to `Date.now`. */
    now?(): number;
}

/** Seconds a client is told to wait (Retry-After) when the service is not ready. */
export const NOT_READY_RETRY_SECONDS = 10;

/** The cached readiness probe. */
export class Readiness {
    private cached?: { at: number; report: ReadyReport };
    private running?: Promise<ReadyReport>;
    private seedsCached?: { at: number; checks: Promise<ReadyCheck[]> };
    /** How many probes actually ran (tests check the cache with it). */
    probes = 0;

    constructor(private readonly options: ReadinessOptions) {}

    private now(): number {
        return this.options.now?.() ?? Date.now();
    }

    /** The current report: cached for `ttlMs`; callers arriving during a probe share it. */
    async report(): Promise<ReadyReport> {
        if (this.cached && this.now() - this.cached.at < (this.options.ttlMs ?? 5000)) return this.cached.report;
        this.running ??= this.probe().finally(() => (this.running = undefined));
        return this.running;
    }

    /** Drops the cached report, so the next call probes (e.g. after installing plugins). */
    invalidate(): void {
        this.cached = undefined;
        this.seedsCached = undefined;
    }

    private seeds(at: number): Promise<ReadyCheck[]> {
        if (!this.seedsCached || at - this.seedsCached.at >= (this.options.seedsTtlMs ?? 60_000)) {
            this.seedsCached = { at, checks: this.options.seeds?.() ?? Promise.resolve([]) };
        }
        return this.seedsCached.checks;
    }

    private async probe(): Promise<ReadyReport> {
        this.probes++;
        const at = this.now();
        const failed = (name: string, e: unknown): ReadyCheck => ({
            name,
            ok: false,
            detail: `probe failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
        });
        const [checks, seeds] = await Promise.all([
            this.options.probe().catch((e: unknown) => [failed("executor", e)]),
            this.seeds(at).catch((e: unknown) => [failed("seeds", e)]),
        ]);
        const failing = checks.filter((c) => !c.ok);
        const report: ReadyReport = {
            ready: failing.length === 0,
            message: failing.length === 0 ? "ready" : failing.map((c) => `${c.name}: ${c.detail}`).join("; "),
            checks,
            seeds,
            checkedAt: new Date(at).toISOString(),
        };
        this.cached = { at, report };
        return report;
    }
}

/** The seed stacks to check: those registered clusters name, and those with a kubeconfig file in `seedKubeconfigDir`. */
export function seedStacksInUse(
    clusterSeeds: readonly string[],
    seedKubeconfigFiles: readonly string[],
    max = 20,
): string[] {
    const fromFiles = seedKubeconfigFiles
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => f.slice(0, -".yaml".length).split("__").join("/"));
    return [...new Set([...clusterSeeds, ...fromFiles])].sort().slice(0, max);
}

/** One readability check per seed stack, through the executor when it can check seeds. */
export async function seedChecks(
    executor: { name: string; checkSeed?(seedStack: string): Promise<ReadyCheck> },
    seeds: readonly string[],
): Promise<ReadyCheck[]> {
    if (!executor.checkSeed)
        return seeds.length === 0
            ? []
            : [{ name: "seeds", ok: true, detail: `not checked: the ${executor.name} executor cannot read stacks` }];
    return Promise.all(seeds.map((seed) => executor.checkSeed!(seed)));
}
