/**
 * Prometheus metrics of the service, on a private prom-client registry (so several app instances
 * in one test process do not collide on the global one).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The service's metrics. */
export class ServiceMetrics {
    readonly registry = new Registry();
    /** Finished operations by kind and result (the final state). */
    readonly operations = new Counter({
        name: "mla_operations_total",
        help: "Finished operations by kind and result.",
        labelNames: ["kind", "result"] as const,
        registers: [this.registry],
    });
    /** Wall time of operations from start to finish. */
    readonly duration = new Histogram({
        name: "mla_operation_duration_seconds",
        help: "Time from an operation's start to its end, by kind and result.",
        labelNames: ["kind", "result"] as const,
        buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
        registers: [this.registry],
    });
    readonly queueDepth = new Gauge({
        name: "mla_queue_depth",
        help: "Operations waiting for a worker.",
        registers: [this.registry],
    });
    readonly running = new Gauge({
        name: "mla_operations_running",
        help: "Operations running now.",
        registers: [this.registry],
    });
    /** 429 answers because the queue was full. */
    readonly rejected = new Counter({
        name: "mla_operations_rejected_total",
        help: "Requests refused with 429 because the queue was full.",
        registers: [this.registry],
    });

    /** Per cluster and certificate: its `notAfter` (seconds since the epoch). */
    readonly certificateExpiry = new Gauge({
        name: "mla_cluster_certificate_expiry_timestamp_seconds",
        help: "When each certificate of a cluster expires (Unix seconds), as the stack's outputs report it.",
        labelNames: ["cluster", "certificate"] as const,
        registers: [this.registry],
    });
    /** Per cluster: when its first certificate enters its renewal window; the renewal alert reads it. */
    readonly renewalDue = new Gauge({
        name: "mla_cluster_certificate_renewal_due_timestamp_seconds",
        help: "When the cluster's first certificate enters its renewal window (Unix seconds): the reconciler renews it from then on, so a time long past means renewals are failing.",
        labelNames: ["cluster"] as const,
        registers: [this.registry],
    });
    /** Per cluster: 1 while the last drift check found drift, else 0. */
    readonly drift = new Gauge({
        name: "mla_cluster_drift",
        help: "1 when the last drift check of the cluster found changes an up would make, else 0.",
        labelNames: ["cluster"] as const,
        registers: [this.registry],
    });
    /** Per cluster: when the current drift was first seen; absent while in sync. */
    readonly driftSince = new Gauge({
        name: "mla_cluster_drift_since_timestamp_seconds",
        help: "When the cluster's current drift was first detected (Unix seconds); absent while in sync.",
        labelNames: ["cluster"] as const,
        registers: [this.registry],
    });
    /** Per cluster: when its last drift check finished. */
    readonly lastReconcile = new Gauge({
        name: "mla_cluster_last_reconcile_timestamp_seconds",
        help: "When the reconciler last finished a drift check of the cluster (Unix seconds).",
        labelNames: ["cluster"] as const,
        registers: [this.registry],
    });
    /** Per cluster and signal (metrics, logs): the newest data seen through the cluster's read path. */
    readonly lastDataSeen = new Gauge({
        name: "mla_cluster_last_data_timestamp_seconds",
        help: "Newest sample (metrics) or log line (logs) of the cluster's tenant, read through its gateway (Unix seconds).",
        labelNames: ["cluster", "signal"] as const,
        registers: [this.registry],
    });
    /** Finished drift checks by outcome. */
    readonly reconciles = new Counter({
        name: "mla_reconciles_total",
        help: "Finished drift checks by outcome (inSync, drifted, unknown, error).",
        labelNames: ["result"] as const,
        registers: [this.registry],
    });

    /** Certificate names with a series, per cluster (prom-client removes exact label sets only). */
    private readonly certificateNames = new Map<string, Set<string>>();

    /** Sets the cluster's certificate expiry series to exactly `notAfterSeconds` (name to Unix seconds). */
    setCertificateExpiries(clusterId: string, notAfterSeconds: Record<string, number>): void {
        for (const name of this.certificateNames.get(clusterId) ?? [])
            this.certificateExpiry.remove({ cluster: clusterId, certificate: name });
        for (const [name, seconds] of Object.entries(notAfterSeconds))
            this.certificateExpiry.set({ cluster: clusterId, certificate: name }, seconds);
        this.certificateNames.set(clusterId, new Set(Object.keys(notAfterSeconds)));
    }

    /** Drops every per-cluster series of `clusterId` (it was offboarded). */
    forgetCluster(clusterId: string): void {
        this.setCertificateExpiries(clusterId, {});
        this.certificateNames.delete(clusterId);
        for (const gauge of [this.drift, this.driftSince, this.lastReconcile, this.renewalDue])
            gauge.remove({ cluster: clusterId });
        for (const signal of ["metrics", "logs"]) this.lastDataSeen.remove({ cluster: clusterId, signal });
    }

    constructor(opts: { processMetrics?: boolean } = {}) {
        if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
    }
}
