/**
 * A cluster's health, assembled (pure) from what the service knows and what the probes found.
 * Six parts, each `ok`, `warning` or `critical` with a reason; the cluster's state is the worst
 * part. The thresholds match the operator alerts (`components/seed-defaults/service-rule-groups.ts`).
 */
import { earliestExpiry, parseNotAfter, renewalDue } from "../../components/pki/pki-renewal";
import type { OperationRecord } from "../../executors/operation-types";
import type { ReconcileRecord } from "../reconcile/reconcile-store";
import type { ProbeResult } from "./health-probes";

/** Health states, best first. */
export const HEALTH_STATES = ["ok", "warning", "critical"] as const;

/** One health state. */
export type HealthState = (typeof HEALTH_STATES)[number];

/** One part of the health report. */
export interface HealthPart {
    state: HealthState;
    reason: string;
    /** A time the part is about (ISO): data last seen, first expiry, drift since. */
    at?: string;
}

/** The parts, by name. */
export interface HealthParts {
    gateway: HealthPart;
    metrics: HealthPart;
    logs: HealthPart;
    certificates: HealthPart;
    drift: HealthPart;
    lastOperation: HealthPart;
}

/** A cluster's health. */
export interface ClusterHealth {
    state: HealthState;
    /** When the live parts were probed (ISO); unset before the first probe. */
    probedAt?: string;
    parts: HealthParts;
}

/** Data older than this is a warning, older than the second a critical (the alert's 15 minutes). */
export const DATA_WARNING_MS = 5 * 60_000;
export const DATA_CRITICAL_MS = 15 * 60_000;
/** A certificate expiring within this is critical (the alert's 7 days). */
export const CERT_CRITICAL_MS = 7 * 86400_000;
/** Drift older than this is critical (the alert's one day). */
export const DRIFT_CRITICAL_MS = 86400_000;

/** What the live probes found at one time. */
export interface ProbeFindings {
    at: number;
    gateway: ProbeResult<string>;
    /** Undefined when the signal's query was not run (no read token). */
    metrics?: ProbeResult<number | undefined>;
    logs?: ProbeResult<number | undefined>;
    /** Why the data queries were skipped. */
    skipped?: string;
}

/** Everything the assessment reads. */
export interface HealthInput {
    now: number;
    suspended: boolean;
    monitoringEnabled: boolean;
    loggingEnabled: boolean;
    /** `certificateNotAfter` as the stack reported it. */
    certificates: unknown;
    /** The cluster's renewal window; undefined without a stored spec. */
    earlyRenewalHours?: number;
    reconcile?: ReconcileRecord;
    lastOperation?: OperationRecord;
    probes?: ProbeFindings;
}

const iso = (ms: number) => new Date(ms).toISOString();

function ago(ms: number): string {
    if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
    if (ms < 7200_000) return `${Math.round(ms / 60_000)} min`;
    if (ms < 172800_000) return `${Math.round(ms / 3600_000)} h`;
    return `${Math.round(ms / 86400_000)} d`;
}

function gatewayPart(input: HealthInput): HealthPart {
    if (!input.probes) return { state: "warning", reason: "not probed yet" };
    const g = input.probes.gateway;
    return g.ok
        ? { state: "ok", reason: g.value }
        : { state: "critical", reason: `the read listener does not answer: ${g.error}` };
}

function dataPart(input: HealthInput, signal: "metrics" | "logs"): HealthPart {
    const enabled = signal === "metrics" ? input.monitoringEnabled : input.loggingEnabled;
    const noun = signal === "metrics" ? "metric sample" : "log line";
    if (!enabled) return { state: "ok", reason: `${signal} disabled for this cluster` };
    if (input.suspended) return { state: "warning", reason: "suspended: the gateway refuses writes" };
    if (!input.probes) return { state: "warning", reason: "not probed yet" };
    const found = input.probes[signal];
    if (!found) return { state: "warning", reason: `not queried: ${input.probes.skipped ?? "no read path"}` };
    if (!found.ok) return { state: "critical", reason: `cannot read ${signal}: ${found.error}` };
    if (found.value === undefined) return { state: "critical", reason: `no ${noun} in the last hour` };
    const age = input.probes.at - found.value;
    const state: HealthState = age >= DATA_CRITICAL_MS ? "critical" : age >= DATA_WARNING_MS ? "warning" : "ok";
    return { state, reason: `newest ${noun} ${ago(Math.max(0, age))} old`, at: iso(found.value) };
}

function certificatesPart(input: HealthInput): HealthPart {
    const all = parseNotAfter(input.certificates);
    const first = earliestExpiry(all);
    if (!first) return { state: "warning", reason: "no certificate expiry reported by the stack yet" };
    const left = first.notAfterMs - input.now;
    const at = iso(first.notAfterMs);
    if (left <= 0) return { state: "critical", reason: `${first.name} expired ${ago(-left)} ago`, at };
    if (left < CERT_CRITICAL_MS) return { state: "critical", reason: `${first.name} expires in ${ago(left)}`, at };
    if (input.earlyRenewalHours !== undefined && renewalDue(first.notAfterMs, input.earlyRenewalHours, input.now)) {
        return {
            state: "warning",
            reason: `${first.name} is in its renewal window (expires in ${ago(left)}); the reconciler renews it`,
            at,
        };
    }
    return { state: "ok", reason: `first expiry: ${first.name} in ${ago(left)}`, at };
}

function driftPart(input: HealthInput): HealthPart {
    const r = input.reconcile;
    if (!r || !r.checkedAt) return { state: "ok", reason: "not checked yet" };
    if (r.state === "inSync") return { state: "ok", reason: `in sync at ${r.checkedAt}` };
    if (r.state === "unknown") return { state: "warning", reason: r.reason ?? "unknown" };
    if (r.state === "error") return { state: "warning", reason: `the last check failed: ${r.reason ?? "error"}` };
    const since = r.driftedSince ? Date.parse(r.driftedSince) : input.now;
    const changes = Object.entries(r.changeSummary ?? {})
        .map(([op, n]) => `${op} ${n}`)
        .join(", ");
    const healing = r.selfHealing ? "; the operator corrects it on its next resync" : "";
    return {
        state: input.now - since >= DRIFT_CRITICAL_MS ? "critical" : "warning",
        reason: `drifted for ${ago(input.now - since)} (${changes || "changes pending"})${healing}`,
        at: iso(since),
    };
}

function lastOperationPart(input: HealthInput): HealthPart {
    const op = input.lastOperation;
    if (!op) return { state: "warning", reason: "no operation yet" };
    const what = `${op.kind} ${op.state}`;
    switch (op.state) {
        case "succeeded":
            return { state: "ok", reason: what, at: op.finishedAt };
        case "queued":
        case "running":
            return { state: "ok", reason: what, at: op.startedAt ?? op.createdAt };
        case "failed":
            return { state: "critical", reason: `${what}: ${op.error?.message ?? "no message"}`, at: op.finishedAt };
        default:
            return { state: "warning", reason: `${what}${op.error ? `: ${op.error.message}` : ""}`, at: op.finishedAt };
    }
}

/** The worst of some states. */
export function worst(states: HealthState[]): HealthState {
    return states.reduce<HealthState>((a, b) => (HEALTH_STATES.indexOf(b) > HEALTH_STATES.indexOf(a) ? b : a), "ok");
}

/** Assesses a cluster. */
export function assessHealth(input: HealthInput): ClusterHealth {
    const parts: HealthParts = {
        gateway: gatewayPart(input),
        metrics: dataPart(input, "metrics"),
        logs: dataPart(input, "logs"),
        certificates: certificatesPart(input),
        drift: driftPart(input),
        lastOperation: lastOperationPart(input),
    };
    return {
        state: worst(Object.values(parts).map((p) => p.state)),
        ...(input.probes ? { probedAt: iso(input.probes.at) } : {}),
        parts,
    };
}
