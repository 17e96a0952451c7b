/**
 * Day two in one place: the reconciler and the health monitor built over the service's parts,
 * so `app.ts` wires them with a few lines. Defaults come from {@link RECONCILE_DEFAULTS}.
 */
import type { ClusterService } from "../operations/cluster-service";
import { RECONCILE_DEFAULTS } from "../env";
import type { Executor } from "../../executors/executor";
import { HealthMonitor, type HealthSettings } from "../health/health-monitor";
import type { ServiceMetrics } from "../operations/metrics";
import type { OperationEvents } from "../operations/operation-events";
import type { Log } from "../operations/operation-runner";
import type { Registry } from "../store/registry";
import type { Scheduler } from "../operations/scheduler";
import type { SpecStore } from "../store/spec-store";
import { type Clock, systemClock } from "./clock";
import { ReconcileStore } from "./reconcile-store";
import { Reconciler, type ReconcilerSettings } from "./reconciler";

/** How day two runs; every field has a default. */
export interface DayTwoOptions {
    /** Start the periodic drift checks and health probes. Defaults to true; false leaves only on-demand health. */
    enabled?: boolean;
    reconcile?: Partial<ReconcilerSettings>;
    health?: Partial<HealthSettings>;
    /** Defaults to the wall clock. */
    clock?: Clock;
    /** For the jitter. Defaults to `Math.random`. */
    random?: () => number;
}

/** The parts of the service day two works with. */
export interface DayTwoDeps {
    dataDir: string;
    registry: Registry;
    specs: SpecStore;
    scheduler: Scheduler;
    executor: Executor;
    service: ClusterService;
    events: OperationEvents;
    metrics: ServiceMetrics;
    log: Log;
}

/** The built reconciler and health monitor. */
export interface DayTwo {
    reconciler: Reconciler;
    health: HealthMonitor;
    store: ReconcileStore;
    clock: Clock;
    start(): void;
    stop(): void;
}

/** Builds the reconciler and the health monitor; nothing runs before `start`. */
export function dayTwo(deps: DayTwoDeps, opts: DayTwoOptions = {}): DayTwo {
    const clock = opts.clock ?? systemClock();
    const store = new ReconcileStore(deps.dataDir);
    const d = RECONCILE_DEFAULTS;
    const reconciler = new Reconciler(
        {
            intervalMs: opts.reconcile?.intervalMs ?? d.intervalSeconds * 1000,
            jitter: opts.reconcile?.jitter ?? d.jitterPercent / 100,
            policy: opts.reconcile?.policy ?? d.policy,
            rosterMs: opts.reconcile?.rosterMs ?? 60_000,
            checkTimeoutMs: opts.reconcile?.checkTimeoutMs ?? d.checkTimeoutSeconds * 1000,
        },
        { ...deps, store, clock, random: opts.random },
    );
    const health = new HealthMonitor(
        {
            intervalMs: opts.health?.intervalMs ?? d.healthIntervalSeconds * 1000,
            timeoutMs: opts.health?.timeoutMs ?? d.healthTimeoutSeconds * 1000,
        },
        { ...deps, store, clock, lastOperation: (c) => deps.service.lastOperation(c) },
    );
    const enabled = opts.enabled ?? true;
    return {
        reconciler,
        health,
        store,
        clock,
        start() {
            if (!enabled) return;
            reconciler.start();
            health.start();
        },
        stop() {
            reconciler.stop();
            health.stop();
            store.flush();
        },
    };
}
