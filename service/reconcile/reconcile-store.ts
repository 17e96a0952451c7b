/**
 * What the reconciler last found per cluster, kept next to the registry in
 * `<dataDir>/reconcile/state.json` (written whole, to a temp file then renamed, once per turn of
 * the event loop however many records changed in it: the roster schedules every cluster at once)
 * so drift and certificate figures survive a restart. Holds no secret: steps name resources,
 * never values.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChangeSummary, ResourceStep } from "../../executors/operation-types";

/** The outcome of a cluster's last drift check. */
export const DRIFT_STATES = ["inSync", "drifted", "unknown", "error"] as const;

/** One drift state. */
export type DriftState = (typeof DRIFT_STATES)[number];

/** Why the reconciler ran an `up`. */
export type RemediationReason = "drift" | "certificate-renewal";

/** The reconciler's record of one cluster. */
export interface ReconcileRecord {
    clusterId: string;
    /** `unknown`: never checked, no stored spec, or the executor cannot check. */
    state: DriftState;
    /** Why the state is what it is (the error, or what is missing). */
    reason?: string;
    /** When the last check finished (ISO). */
    checkedAt?: string;
    /** When the current drift was first seen (ISO); unset while in sync. */
    driftedSince?: string;
    /** What an `up` would change: counts per step kind. */
    changeSummary?: ChangeSummary;
    /** The changing steps. */
    steps?: ResourceStep[];
    /** The certificates' `notAfter` (ISO), as the stack's outputs last reported them. */
    certificates?: Record<string, string>;
    /** The engine corrects drift itself (operator resync). */
    selfHealing?: boolean;
    /** The last `up` the reconciler started, and why. */
    lastRemediation?: { operationId: string; reason: RemediationReason; at: string };
    /** When the next check is due (ISO). */
    nextCheckAt?: string;
}

/** The records, in memory and on disk. */
export class ReconcileStore {
    private readonly records = new Map<string, ReconcileRecord>();
    private readonly path: string;
    /** The write scheduled for the end of this turn of the event loop, if any. */
    private pending: NodeJS.Immediate | undefined;

    constructor(dataDir: string) {
        const dir = join(dataDir, "reconcile");
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        this.path = join(dir, "state.json");
        if (existsSync(this.path)) {
            try {
                for (const r of JSON.parse(readFileSync(this.path, "utf8")) as ReconcileRecord[])
                    this.records.set(r.clusterId, r);
            } catch {
                // A torn file only costs one round of checks: start empty.
            }
        }
    }

    get(clusterId: string): ReconcileRecord | undefined {
        const r = this.records.get(clusterId);
        return r ? { ...r } : undefined;
    }

    all(): ReconcileRecord[] {
        return [...this.records.values()].map((r) => ({ ...r }));
    }

    /** Merges `patch` into the cluster's record; the file is written at the end of this turn. */
    update(clusterId: string, patch: Partial<ReconcileRecord>): ReconcileRecord {
        const next: ReconcileRecord = {
            ...(this.records.get(clusterId) ?? { clusterId, state: "unknown" }),
            ...patch,
            clusterId,
        };
        this.records.set(clusterId, next);
        this.schedule();
        return { ...next };
    }

    remove(clusterId: string): void {
        if (this.records.delete(clusterId)) this.schedule();
    }

    private schedule(): void {
        this.pending ??= setImmediate(() => this.flush());
    }

    /** Writes the file now if anything changed since it was last written (and at shutdown). */
    flush(): void {
        if (!this.pending) return;
        clearImmediate(this.pending);
        this.pending = undefined;
        const tmp = `${this.path}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify([...this.records.values()]), { mode: 0o600 });
        renameSync(tmp, this.path);
    }
}
