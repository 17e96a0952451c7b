/**
 * One drift check of one cluster: the executor's `refresh` then `preview` of the stored spec,
 * the outcome recorded in the {@link ReconcileStore} (`inSync`, `drifted` with the changing steps,
 * `unknown` or `error`) and exported as metrics. The reconciler (`reconciler.ts`) decides when to
 * run it and what to do about what it found.
 */
import {
    CERTIFICATE_NOT_AFTER_OUTPUT,
    earliestExpiry,
    parseNotAfter,
    renewalWindowStart,
} from "../../components/pki/pki-renewal";
import type { DriftResult, Executor } from "../../executors/executor";
import type { ServiceMetrics } from "../operations/metrics";
import type { Registry } from "../store/registry";
import { setLockCheckPending } from "../store/lock-check";
import type { SpecStore } from "../store/spec-store";
import type { Clock } from "./clock";
import { DeadlineError, type DeadlineOptions, withDeadline } from "./deadline";
import type { ReconcileRecord, ReconcileStore } from "./reconcile-store";

/** What a drift check works with. */
export interface DriftCheckDeps {
    registry: Registry;
    specs: SpecStore;
    executor: Executor;
    store: ReconcileStore;
    metrics: ServiceMetrics;
    clock: Clock;
}

/** What a completed check found, for the reconciler's remediation decision. */
export interface DriftFound {
    record: ReconcileRecord;
    /** The stored spec's renewal window. */
    earlyRenewalHours: number;
    /** Drift an `up` would fix (the engine does not correct it itself). */
    fixableDrift: boolean;
}

/** Changes a step of this kind does not make. */
const NO_CHANGE = new Set(["same", "read"]);

/** The drift part of a check: the steps that change something, and their counts. */
export function driftOf(result: DriftResult): {
    drifted: boolean;
    changeSummary: Record<string, number>;
    steps: DriftResult["steps"];
} {
    const steps = result.steps.filter((s) => !NO_CHANGE.has(s.op));
    const changeSummary = Object.fromEntries(
        Object.entries(result.changeSummary).filter(([op, n]) => !NO_CHANGE.has(op) && n > 0),
    );
    return { drifted: steps.length > 0 || Object.keys(changeSummary).length > 0, changeSummary, steps };
}

/** The certificates' `notAfter` (ISO) as the check's outputs (or the stored ones) report them. */
function certificatesOf(result: DriftResult, stored: Record<string, unknown>): Record<string, string> | undefined {
    const value = result.outputs?.[CERTIFICATE_NOT_AFTER_OUTPUT]?.value ?? stored[CERTIFICATE_NOT_AFTER_OUTPUT];
    const parsed = parseNotAfter(value);
    if (Object.keys(parsed).length === 0) return undefined;
    return Object.fromEntries(Object.entries(parsed).map(([name, ms]) => [name, new Date(ms).toISOString()]));
}

/**
 * Exports a cluster's record as metrics: drift, drift since, last check, certificate expiries,
 * and, when the cluster's renewal window is known, when its first certificate enters it.
 */
export function exportReconcileMetrics(
    metrics: ServiceMetrics,
    record: ReconcileRecord,
    earlyRenewalHours: number | undefined,
): void {
    const cluster = record.clusterId;
    metrics.drift.set({ cluster }, record.state === "drifted" ? 1 : 0);
    if (record.driftedSince) metrics.driftSince.set({ cluster }, Date.parse(record.driftedSince) / 1000);
    else metrics.driftSince.remove({ cluster });
    if (record.checkedAt) metrics.lastReconcile.set({ cluster }, Date.parse(record.checkedAt) / 1000);
    exportCertificateExpiries(metrics, record, earlyRenewalHours);
}

/** Exports a cluster's known certificate expiries (seconds) and its renewal window, which the alerts read. */
function exportCertificateExpiries(
    metrics: ServiceMetrics,
    record: ReconcileRecord,
    earlyRenewalHours: number | undefined,
): void {
    const notAfter = parseNotAfter(record.certificates);
    metrics.setCertificateExpiries(
        record.clusterId,
        Object.fromEntries(Object.entries(notAfter).map(([n, ms]) => [n, ms / 1000])),
    );
    const first = earliestExpiry(notAfter);
    if (first && earlyRenewalHours !== undefined)
        metrics.renewalDue.set(
            { cluster: record.clusterId },
            renewalWindowStart(first.notAfterMs, earlyRenewalHours) / 1000,
        );
    else metrics.renewalDue.remove({ cluster: record.clusterId });
}

/**
 * Checks `clusterId` for drift and records the outcome. Returns what it found, or undefined when
 * there was nothing to check (gone, being deleted, no stored spec, an executor that cannot check)
 * or the check was cancelled. A check that fails, or runs past `run.timeoutMs` (then it is
 * aborted, its stack stays busy until the engine is gone, and the cluster's next operation
 * clears a lock the engine may have left), is recorded as `error`.
 */
export async function checkDrift(
    deps: DriftCheckDeps,
    clusterId: string,
    run: Omit<DeadlineOptions, "clock">,
): Promise<DriftFound | undefined> {
    const { signal } = run;
    const { registry, specs, executor, store, metrics, clock } = deps;
    const cluster = registry.cluster(clusterId);
    if (!cluster || cluster.status === "deleting") return undefined;
    const nowIso = new Date(clock.now()).toISOString();
    const spec = specs.load(clusterId);
    const unknown = (reason: string) => {
        store.update(clusterId, {
            state: "unknown",
            reason,
            checkedAt: nowIso,
            driftedSince: undefined,
            steps: undefined,
            changeSummary: undefined,
        });
        metrics.reconciles.inc({ result: "unknown" });
        return undefined;
    };
    if (!spec) return unknown("no stored spec: the cluster was never applied by this service (PUT it)");
    // Without a drift check, renewal still decides from the expiries the last `up` reported, and
    // they are still exported for the expiry alert: a failing check must not let a certificate lapse.
    const withoutCheck = (state: "unknown" | "error", reason: string): DriftFound => {
        const certificates = certificatesOf({ changeSummary: {}, steps: [] }, cluster.outputs);
        const record = store.update(clusterId, {
            state,
            reason,
            checkedAt: nowIso,
            ...(certificates ? { certificates } : {}),
        });
        exportCertificateExpiries(metrics, record, spec.pki.earlyRenewalHours);
        metrics.reconciles.inc({ result: state });
        metrics.lastReconcile.set({ cluster: clusterId }, clock.now() / 1000);
        return { record, earlyRenewalHours: spec.pki.earlyRenewalHours, fixableDrift: false };
    };
    if (!executor.checkDrift) return withoutCheck("unknown", `the ${executor.name} executor cannot check drift`);

    let result: DriftResult;
    try {
        const check = executor.checkDrift.bind(executor);
        result = await withDeadline({ ...run, clock }, (inner) =>
            check({ clusterId, spec, signal: inner, onEvent: () => undefined }),
        );
    } catch (e) {
        if (signal.aborted) return undefined;
        if (e instanceof DeadlineError) {
            // The engine may have been stopped holding the stack's lock: the next operation clears it first.
            setLockCheckPending(registry, clusterId, true, nowIso);
            return withoutCheck("error", `the drift check ${e.message}`);
        }
        return withoutCheck("error", e instanceof Error ? e.message : String(e));
    }
    const drift = driftOf(result);
    const previous = store.get(clusterId);
    const certificates = certificatesOf(result, cluster.outputs);
    const record = store.update(clusterId, {
        state: drift.drifted ? "drifted" : "inSync",
        reason: result.detail,
        checkedAt: nowIso,
        driftedSince: drift.drifted
            ? previous?.state === "drifted" && previous.driftedSince
                ? previous.driftedSince
                : nowIso
            : undefined,
        changeSummary: drift.changeSummary,
        steps: drift.steps,
        selfHealing: result.selfHealing,
        ...(certificates ? { certificates } : {}),
    });
    exportReconcileMetrics(metrics, record, spec.pki.earlyRenewalHours);
    metrics.reconciles.inc({ result: record.state });
    return {
        record,
        earlyRenewalHours: spec.pki.earlyRenewalHours,
        fixableDrift: drift.drifted && !result.selfHealing,
    };
}
