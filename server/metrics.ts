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

    constructor(opts: { processMetrics?: boolean } = {}) {
        if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
    }
}
