/**
 * Keeps every cluster's health current: probes each cluster's read path on an interval (so
 * `/metrics` always carries the last-data figures the alerts read) and on demand for
 * `GET /v1/clusters/{id}/health`; the listing shows the last probe's findings without waiting.
 *
 * The read listener's URL is the public stack output `gatewayReadUrl`; its token is the secret
 * output {@link READ_TOKEN_OUTPUT}, read from the executor's stack outputs and kept in memory only.
 */
import type { Log } from "../operations/operation-runner";
import type { ClusterRecord } from "../../executors/operation-types";
import type { TimerHandle } from "../reconcile/clock";
import type { DriftCheckDeps } from "../reconcile/drift-check";
import { CERTIFICATE_NOT_AFTER_OUTPUT } from "../../components/pki/pki-renewal";
import { READ_TOKEN_OUTPUT } from "../../components/gateway/read-token";
import { assessHealth, type ClusterHealth, type ProbeFindings } from "./cluster-health";
import { lastLogsSeen, lastMetricsSeen, probeGateway, type ProbeTarget } from "./health-probes";

/** The public output with the read listener's base URL. */
export const READ_URL_OUTPUT = "gatewayReadUrl";

/** The first sweep after start, at the latest. */
const FIRST_SWEEP_MS = 30_000;

/** Probe settings; defaults live in `service/env.ts` (MLA_HEALTH_*). */
export interface HealthSettings {
    /** Time between two probes of every cluster, in ms. */
    intervalMs: number;
    /** Per HTTP request, in ms. */
    timeoutMs: number;
}

/** What the monitor reads: what a drift check reads, a log and the cluster's last operation. */
export interface HealthMonitorDeps extends DriftCheckDeps {
    log: Log;
    /** The cluster's last operation, for the report. */
    lastOperation(cluster: ClusterRecord): ClusterHealthInputOperation;
}

type ClusterHealthInputOperation = Parameters<typeof assessHealth>[0]["lastOperation"];

/** The health monitor. */
export class HealthMonitor {
    private readonly findings = new Map<string, ProbeFindings>();
    private readonly tokens = new Map<string, { token?: string; at: number }>();
    private timer?: TimerHandle;
    private running = false;

    constructor(
        private readonly settings: HealthSettings,
        private readonly deps: HealthMonitorDeps,
    ) {}

    /** Starts the sweeps; the first comes soon after start, so a restart does not leave the figures empty for a whole interval. */
    start(): void {
        this.running = true;
        this.timer = this.deps.clock.setTimer(
            () => void this.sweep(),
            Math.min(this.settings.intervalMs, FIRST_SWEEP_MS),
        );
    }

    stop(): void {
        this.running = false;
        if (this.timer) this.deps.clock.clearTimer(this.timer);
    }

    /** Probes every cluster, one after the other (the probes are cheap; this keeps load flat). */
    async sweep(): Promise<void> {
        for (const cluster of this.deps.registry.clusters()) {
            if (!this.running) return;
            await this.probe(cluster).catch((e: unknown) =>
                this.deps.log.warn({ clusterId: cluster.id, err: String(e) }, "health probe failed"),
            );
        }
        for (const id of [...this.findings.keys()]) if (!this.deps.registry.cluster(id)) this.findings.delete(id);
        if (this.running) this.timer = this.deps.clock.setTimer(() => void this.sweep(), this.settings.intervalMs);
    }

    private async readToken(clusterId: string, refresh: boolean): Promise<string | undefined> {
        const cached = this.tokens.get(clusterId);
        if (cached && !refresh && this.deps.clock.now() - cached.at < this.settings.intervalMs) return cached.token;
        let token: string | undefined;
        if (this.deps.executor.outputs) {
            const outputs = await this.deps.executor
                .outputs(clusterId, AbortSignal.timeout(this.settings.timeoutMs * 4))
                .catch(() => ({}) as Record<string, { value: unknown }>);
            const value = outputs[READ_TOKEN_OUTPUT]?.value;
            token = typeof value === "string" && value !== "" ? value : undefined;
        }
        this.tokens.set(clusterId, { token, at: this.deps.clock.now() });
        return token;
    }

    /** Probes one cluster's read path now and remembers the findings. */
    async probe(cluster: ClusterRecord): Promise<ProbeFindings> {
        const now = this.deps.clock.now();
        const readUrl = cluster.outputs[READ_URL_OUTPUT];
        if (typeof readUrl !== "string" || readUrl === "") {
            const findings: ProbeFindings = {
                at: now,
                gateway: { ok: false, error: `the stack has no ${READ_URL_OUTPUT} output yet` },
                skipped: "no read listener known",
            };
            this.findings.set(cluster.id, findings);
            return findings;
        }
        const target: ProbeTarget = {
            readUrl,
            readToken: await this.readToken(cluster.id, false),
            timeoutMs: this.settings.timeoutMs,
        };
        const gateway = await probeGateway(target);
        let findings: ProbeFindings = { at: now, gateway };
        if (!target.readToken) {
            findings.skipped = `no read token (stack output ${READ_TOKEN_OUTPUT})`;
        } else if (gateway.ok) {
            let [metrics, logs] = await Promise.all([lastMetricsSeen(target, now), lastLogsSeen(target, now)]);
            if ([metrics, logs].some((r) => !r.ok && r.error.includes("401"))) {
                // The token may have been rotated by an up since it was cached.
                target.readToken = await this.readToken(cluster.id, true);
                [metrics, logs] = await Promise.all([lastMetricsSeen(target, now), lastLogsSeen(target, now)]);
            }
            findings = { ...findings, metrics, logs };
        } else {
            findings.skipped = "the gateway does not answer";
        }
        for (const signal of ["metrics", "logs"] as const) {
            const r = findings[signal];
            if (r?.ok && r.value !== undefined)
                this.deps.metrics.lastDataSeen.set({ cluster: cluster.id, signal }, r.value / 1000);
        }
        this.findings.set(cluster.id, findings);
        return findings;
    }

    private assess(cluster: ClusterRecord): ClusterHealth {
        // The stored spec's non-secret summary: a listing decrypts nothing.
        const spec = this.deps.specs.summary(cluster.id);
        const out = cluster.outputs;
        const reconcile = this.deps.store.get(cluster.id);
        return assessHealth({
            now: this.deps.clock.now(),
            suspended: cluster.suspended,
            monitoringEnabled: spec?.monitoringEnabled ?? out.monitoringEnabled !== false,
            loggingEnabled: spec?.loggingEnabled ?? out.loggingEnabled !== false,
            certificates: reconcile?.certificates ?? out[CERTIFICATE_NOT_AFTER_OUTPUT],
            earlyRenewalHours: spec?.earlyRenewalHours,
            reconcile,
            lastOperation: this.deps.lastOperation(cluster),
            probes: this.findings.get(cluster.id),
        });
    }

    /** Probes now, then reports (GET .../health). */
    async check(cluster: ClusterRecord): Promise<ClusterHealth> {
        await this.probe(cluster);
        return this.assess(cluster);
    }

    /** Reports from the last probe (the listing). */
    summary(cluster: ClusterRecord): ClusterHealth {
        return this.assess(cluster);
    }
}
