/**
 * The reconciler inside `mla serve`: keeps every cluster converged between user requests.
 *
 * Per cluster, on an interval with jitter, it queues a drift check (`drift-check.ts`: the
 * executor's `refresh` then `preview`) on the scheduler's background lane, which has its own
 * budget and yields to every queued user operation of the same cluster. The result (`inSync`, or
 * `drifted` with the change summary and steps) is recorded in the {@link ReconcileStore}, shown by
 * the API and exported as metrics. Then:
 * - a certificate inside its renewal window (`components/pki/pki-renewal.ts`) gets one renewal `up`,
 *   whatever the policy: nothing expires while the service runs;
 * - drift under the `remediate` policy gets one `up`.
 * Both `up`s go through {@link ClusterService.reapply}: the normal operation path, with its
 * record, events and lock. When one finishes, the cluster is checked again at once, so the record
 * says `inSync` (or still `drifted`, which is then left for the next regular check: no loops).
 *
 * Besides the interval, a cluster's next check is brought forward to the moment its first
 * certificate enters the renewal window.
 */
import {
    CERTIFICATE_NOT_AFTER_OUTPUT,
    earliestExpiry,
    parseNotAfter,
    renewalDue,
    renewalWindowStart,
} from "../../components/pki/pki-renewal";
import type { ReconcilePolicy } from "../../spec/cluster-spec";
import type { ClusterService } from "../operations/cluster-service";
import type { Executor } from "../../executors/executor";
import type { ServiceMetrics } from "../operations/metrics";
import type { OperationEvents } from "../operations/operation-events";
import type { Log } from "../operations/operation-runner";
import { FINAL_STATES } from "../../executors/operation-types";
import type { Registry } from "../store/registry";
import type { Scheduler } from "../operations/scheduler";
import type { SpecStore } from "../store/spec-store";
import type { Clock, TimerHandle } from "./clock";
import { checkDrift, type DriftFound, exportReconcileMetrics } from "./drift-check";
import type { ReconcileRecord, ReconcileStore, RemediationReason } from "./reconcile-store";

/** Reconciler settings; defaults live in `service/env.ts` (MLA_RECONCILE_*). */
export interface ReconcilerSettings {
    /** Mean time between two drift checks of one cluster, in ms. */
    intervalMs: number;
    /** Spread of the interval: each wait is `intervalMs * (1 ± jitter)`; 0..1. */
    jitter: number;
    /** The service-wide policy; a cluster's `reconcilePolicy` overrides it. */
    policy: ReconcilePolicy;
    /** How often the list of clusters is re-read (new clusters scheduled, removed ones dropped), in ms. */
    rosterMs: number;
    /** How long one drift check may take before it is aborted and recorded as an error, in ms. */
    checkTimeoutMs: number;
}

/** What the reconciler works with. */
export interface ReconcilerDeps {
    registry: Registry;
    specs: SpecStore;
    scheduler: Scheduler;
    executor: Executor;
    service: ClusterService;
    events: OperationEvents;
    metrics: ServiceMetrics;
    store: ReconcileStore;
    clock: Clock;
    log: Log;
    /** Random numbers in [0, 1) for the jitter. Defaults to `Math.random`. */
    random?: () => number;
}

/** How long a renewal the service refused to queue waits before its cluster is checked again. */
export const REFUSED_RETRY_MS = 5 * 60_000;

/** The reconciler. Call {@link start} once, {@link stop} on shutdown. */
export class Reconciler {
    private readonly timers = new Map<string, TimerHandle>();
    private roster?: TimerHandle;
    private running = false;
    private seq = 0;
    /** Clusters with a check queued or running, and whether it follows a remediation. */
    private readonly inFlight = new Map<string, { afterRemediation: boolean }>();
    /** Clusters whose reconciler-started `up` has not finished. */
    private readonly remediating = new Set<string>();
    /**
     * When the service last refused a reconciler's `up` (queue full, shutting down), per cluster:
     * a renewal then waits {@link REFUSED_RETRY_MS} before its check comes round again, instead of
     * being checked again at once, back to back, while the queue stays full.
     */
    private readonly refusedAt = new Map<string, number>();

    constructor(
        private readonly settings: ReconcilerSettings,
        private readonly deps: ReconcilerDeps,
    ) {}

    /** Schedules every known cluster and starts watching the roster. */
    start(): void {
        this.running = true;
        // What the last run found stays visible in /metrics across a restart.
        for (const record of this.deps.store.all())
            exportReconcileMetrics(
                this.deps.metrics,
                record,
                this.deps.specs.summary(record.clusterId)?.earlyRenewalHours,
            );
        this.syncRoster();
    }

    /** Clears every timer; queued checks are dropped by the scheduler's own shutdown. */
    stop(): void {
        this.running = false;
        for (const t of this.timers.values()) this.deps.clock.clearTimer(t);
        this.timers.clear();
        if (this.roster) this.deps.clock.clearTimer(this.roster);
    }

    /** The cluster's record, for the API. */
    record(clusterId: string): ReconcileRecord | undefined {
        return this.deps.store.get(clusterId);
    }

    /** The policy in force for a cluster. */
    policyOf(clusterId: string): ReconcilePolicy {
        return this.deps.specs.summary(clusterId)?.reconcilePolicy ?? this.settings.policy;
    }

    /** Queues a check of `clusterId` now (the roster, timers and finished remediations call it). */
    checkNow(clusterId: string, afterRemediation = false): void {
        if (!this.running || this.inFlight.has(clusterId)) return;
        const id = `reconcile-${clusterId}-${++this.seq}`;
        this.inFlight.set(clusterId, { afterRemediation });
        const queued = this.deps.scheduler.submitBackground({
            id,
            key: clusterId,
            lane: "background",
            run: (signal, holdKey) => this.check(clusterId, signal, holdKey),
            dropped: () => this.inFlight.delete(clusterId),
        });
        if (!queued) this.inFlight.delete(clusterId);
    }

    private jittered(): number {
        const r = (this.deps.random ?? Math.random)();
        return Math.round(this.settings.intervalMs * (1 + this.settings.jitter * (2 * r - 1)));
    }

    private syncRoster(): void {
        if (!this.running) return;
        const known = new Set(this.deps.registry.clusters().map((c) => c.id));
        for (const id of known) if (!this.timers.has(id) && !this.inFlight.has(id)) this.scheduleNext(id, true);
        for (const id of [...this.timers.keys()]) if (!known.has(id)) this.forget(id);
        for (const r of this.deps.store.all()) if (!known.has(r.clusterId)) this.forget(r.clusterId);
        this.roster = this.deps.clock.setTimer(() => this.syncRoster(), this.settings.rosterMs);
    }

    private forget(clusterId: string): void {
        const t = this.timers.get(clusterId);
        if (t) this.deps.clock.clearTimer(t);
        this.timers.delete(clusterId);
        this.refusedAt.delete(clusterId);
        this.deps.store.remove(clusterId);
        this.deps.metrics.forgetCluster(clusterId);
    }

    /**
     * Sets the cluster's next check: a jittered interval after the last one (for a cluster seen
     * for the first time, a jittered interval from now), brought forward to the start of the
     * first certificate's renewal window unless a renewal was already tried in this interval.
     */
    private scheduleNext(clusterId: string, first = false): void {
        if (!this.running) return;
        const now = this.deps.clock.now();
        const record = this.deps.store.get(clusterId);
        const last = record?.checkedAt ? Date.parse(record.checkedAt) : undefined;
        // After a restart, overdue clusters are spread over the jitter span instead of all at once.
        const spread = () =>
            now + Math.round((this.deps.random ?? Math.random)() * this.settings.intervalMs * this.settings.jitter);
        let due = first && last !== undefined ? Math.max(spread(), last + this.jittered()) : now + this.jittered();
        // A last check "in the future" (the wall clock stepped back) never delays the next beyond one interval.
        due = Math.min(due, now + Math.round(this.settings.intervalMs * (1 + this.settings.jitter)));
        const window = this.windowStart(clusterId, record);
        const recentRenewal =
            record?.lastRemediation?.reason === "certificate-renewal" &&
            now - Date.parse(record.lastRemediation.at) < this.settings.intervalMs;
        const refused = this.refusedAt.get(clusterId);
        const earliest = refused === undefined ? now : Math.max(now, refused + REFUSED_RETRY_MS);
        if (window !== undefined && !recentRenewal) due = Math.min(due, Math.max(earliest, window));
        const previous = this.timers.get(clusterId);
        if (previous) this.deps.clock.clearTimer(previous);
        this.timers.set(
            clusterId,
            this.deps.clock.setTimer(() => {
                this.timers.delete(clusterId);
                this.checkNow(clusterId);
            }, due - now),
        );
        this.deps.store.update(clusterId, { nextCheckAt: new Date(due).toISOString() });
    }

    private windowStart(clusterId: string, record: ReconcileRecord | undefined): number | undefined {
        const known =
            record?.certificates ?? this.deps.registry.cluster(clusterId)?.outputs[CERTIFICATE_NOT_AFTER_OUTPUT];
        const first = earliestExpiry(parseNotAfter(known));
        const early = this.deps.specs.summary(clusterId)?.earlyRenewalHours;
        return first && early !== undefined ? renewalWindowStart(first.notAfterMs, early) : undefined;
    }

    /** One check: run on the background lane. */
    private async check(
        clusterId: string,
        signal: AbortSignal,
        holdKey: (work: Promise<unknown>) => void,
    ): Promise<void> {
        const { afterRemediation } = this.inFlight.get(clusterId) ?? { afterRemediation: false };
        try {
            const found = await checkDrift(this.deps, clusterId, {
                signal,
                holdKey,
                timeoutMs: this.settings.checkTimeoutMs,
            });
            if (found) await this.remediateIfDue(clusterId, found, afterRemediation);
        } catch (e) {
            this.deps.log.error({ clusterId, err: e instanceof Error ? e.message : String(e) }, "reconcile failed");
        } finally {
            this.inFlight.delete(clusterId);
            if (this.deps.registry.cluster(clusterId)) this.scheduleNext(clusterId);
        }
    }

    private async remediateIfDue(clusterId: string, found: DriftFound, afterRemediation: boolean): Promise<void> {
        const reason = this.remediationFor(found.record, {
            earlyRenewalHours: found.earlyRenewalHours,
            fixableDrift: found.fixableDrift,
            afterRemediation,
        });
        if (reason) await this.remediate(clusterId, reason);
    }

    /** Why to run an `up` after this check, if at all: renewal first, then drift under `remediate`. */
    private remediationFor(
        record: ReconcileRecord,
        o: { earlyRenewalHours: number; fixableDrift: boolean; afterRemediation: boolean },
    ): RemediationReason | undefined {
        const { clusterId } = record;
        const { earlyRenewalHours, fixableDrift, afterRemediation } = o;
        if (afterRemediation || this.remediating.has(clusterId)) return undefined;
        const now = this.deps.clock.now();
        const due = Object.values(parseNotAfter(record.certificates)).some((ms) =>
            renewalDue(ms, earlyRenewalHours, now),
        );
        if (due) return "certificate-renewal";
        if (fixableDrift && this.policyOf(clusterId) === "remediate") return "drift";
        return undefined;
    }

    /** Starts the `up`; when it ends, checks again at once. */
    private async remediate(clusterId: string, reason: RemediationReason): Promise<void> {
        const { service, events, registry, store, log, clock } = this.deps;
        let operationId: string;
        try {
            operationId = (await service.reapply(clusterId)).operation.id;
        } catch (e) {
            // Queue full, shutting down, or the cluster changed meanwhile: the next check tries again.
            log.warn(
                { clusterId, reason, err: e instanceof Error ? e.message : String(e) },
                "reconcile could not start an up",
            );
            this.refusedAt.set(clusterId, clock.now());
            return;
        }
        this.refusedAt.delete(clusterId);
        this.remediating.add(clusterId);
        store.update(clusterId, { lastRemediation: { operationId, reason, at: new Date(clock.now()).toISOString() } });
        log.info({ clusterId, reason, operationId }, "reconcile started an up");
        const finished = () => {
            this.remediating.delete(clusterId);
            if (registry.cluster(clusterId)) this.checkNow(clusterId, true);
        };
        const op = registry.operation(operationId);
        if (op && FINAL_STATES.includes(op.state)) return finished();
        const unsubscribe = events.subscribe(operationId, (event) => {
            if (event) return;
            unsubscribe();
            finished();
        });
    }
}
