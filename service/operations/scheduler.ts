/**
 * Runs jobs with two limits: at most one job per key (per stack) at a time, and at most
 * `workers` jobs overall. Jobs wait in one bounded FIFO queue; a job whose stack is busy is
 * skipped, not blocking the jobs behind it, and jobs of one stack run in submission order.
 *
 * Background jobs (the reconciler's drift checks) use a second lane with its own queue and its
 * own budget (`backgroundWorkers`), so they never take a user job's worker. A background job
 * holds its stack's key only while it runs: it starts only when no user job for the same key is
 * queued, so a queued user job always goes first.
 */

/** A unit of work for one stack. */
export interface Job {
    /** Operation id. */
    id: string;
    /** The stack: only one job per key runs at a time. */
    key: string;
    /**
     * Does the work; must settle after `signal` aborts (SIGINT to the engine). A job that gives up
     * on work still running (a drift check past its deadline) hands that work to `holdKey`: the
     * job's worker is free when `run` settles, but its stack stays busy until the work settles, so
     * nothing else runs on a stack an engine may still hold.
     */
    run(signal: AbortSignal, holdKey: (work: Promise<unknown>) => void): Promise<void>;
    /** Called instead of `run` when the job leaves the queue without running. */
    dropped(reason: "cancelled" | "shutdown"): void;
    /** `background`: the low-priority lane (see the file comment). Defaults to `user`. */
    lane?: "user" | "background";
}

/** Thrown by {@link Scheduler.submit} when the queue is full; carries a Retry-After estimate. */
export class QueueFullError extends Error {
    constructor(readonly retryAfterSeconds: number) {
        super(`the operation queue is full; retry in ${retryAfterSeconds} s`);
        this.name = "QueueFullError";
    }
}

/** Thrown by {@link Scheduler.submit} after shutdown started. */
export class ShuttingDownError extends Error {
    constructor() {
        super("the service is shutting down");
    }
}

/** Scheduler limits. */
export interface SchedulerOptions {
    /** Jobs running at once across all stacks. */
    workers: number;
    /** Jobs waiting at most; one more gets {@link QueueFullError}. */
    queueLimit: number;
    /** Called whenever queue depth or running count changes (metrics); user jobs only. */
    onChange?(queued: number, running: number): void;
    /** Background jobs running at once. Defaults to 1. */
    backgroundWorkers?: number;
}

/** The job scheduler. */
export class Scheduler {
    private readonly queue: Job[] = [];
    private readonly backgroundQueue: Job[] = [];
    private backgroundRunning = 0;
    private readonly running = new Map<string, { job: Job; controller: AbortController; done: Promise<void> }>();
    private readonly busyKeys = new Set<string>();
    /** Work a finished job left running, by key: the key stays busy until it settles. */
    private readonly held = new Map<string, Promise<unknown>>();
    private accepting = true;
    /** Moving average of job durations, for Retry-After. */
    private averageSeconds = 5;

    constructor(private readonly options: SchedulerOptions) {}

    get queuedCount(): number {
        return this.queue.length;
    }

    get runningCount(): number {
        return this.running.size - this.backgroundRunning;
    }

    /** Background jobs waiting, and running. */
    get background(): { queued: number; running: number } {
        return { queued: this.backgroundQueue.length, running: this.backgroundRunning };
    }

    /**
     * Queues a background job unless one for the same key is already queued (it would do the same
     * work). Never throws for a full queue: the background queue holds at most one job per key.
     * Returns whether the job was queued.
     */
    submitBackground(job: Job): boolean {
        if (!this.accepting) return false;
        if (this.backgroundQueue.some((j) => j.key === job.key)) return false;
        this.backgroundQueue.push({ ...job, lane: "background" });
        this.dispatch();
        return true;
    }

    /**
     * Throws when a job could not be queued now (queue full, or shutdown started). Callers check
     * before creating records, so a refused request leaves no trace in the registry.
     */
    admit(): void {
        if (!this.accepting) throw new ShuttingDownError();
        if (this.queue.length >= this.options.queueLimit) {
            const waves = Math.ceil((this.queue.length + 1) / this.options.workers);
            throw new QueueFullError(Math.max(1, Math.ceil(waves * this.averageSeconds)));
        }
    }

    /** Queues a job; throws like {@link Scheduler.admit}. */
    submit(job: Job): void {
        if (job.lane === "background") throw new Error("background jobs go through submitBackground");
        this.admit();
        this.queue.push(job);
        this.dispatch();
    }

    /** Cancels a job: drops it if queued, aborts it if running. Returns where it was found. */
    cancel(id: string): "queued" | "running" | undefined {
        const queue = this.queue.some((j) => j.id === id) ? this.queue : this.backgroundQueue;
        const index = queue.findIndex((j) => j.id === id);
        if (index >= 0) {
            const [job] = queue.splice(index, 1);
            this.changed();
            job.dropped("cancelled");
            return "queued";
        }
        const entry = this.running.get(id);
        if (!entry) return undefined;
        entry.controller.abort();
        return "running";
    }

    private changed(): void {
        this.options.onChange?.(this.queue.length, this.runningCount);
    }

    private dispatch(): void {
        for (let i = 0; i < this.queue.length && this.runningCount < this.options.workers;) {
            const job = this.queue[i];
            if (this.busyKeys.has(job.key)) {
                i++;
                continue;
            }
            this.queue.splice(i, 1);
            this.start(job);
        }
        const budget = this.options.backgroundWorkers ?? 1;
        for (let i = 0; i < this.backgroundQueue.length && this.backgroundRunning < budget;) {
            const job = this.backgroundQueue[i];
            // A queued user job for the same stack pre-empts the background one.
            if (this.busyKeys.has(job.key) || this.queue.some((j) => j.key === job.key)) {
                i++;
                continue;
            }
            this.backgroundQueue.splice(i, 1);
            this.start(job);
        }
        this.changed();
    }

    private start(job: Job): void {
        const controller = new AbortController();
        const background = job.lane === "background";
        if (background) this.backgroundRunning++;
        this.busyKeys.add(job.key);
        const started = Date.now();
        let held: Promise<unknown> | undefined;
        const holdKey = (work: Promise<unknown>) => {
            held = work.then(
                () => undefined,
                () => undefined,
            );
        };
        const done = Promise.resolve()
            .then(() => job.run(controller.signal, holdKey))
            .catch(() => undefined) // a job records its own failure; the pool must keep going
            .finally(() => {
                if (background) this.backgroundRunning--;
                else this.averageSeconds = 0.8 * this.averageSeconds + 0.2 * ((Date.now() - started) / 1000);
                this.running.delete(job.id);
                if (held) this.holdUntil(job.key, held);
                else this.busyKeys.delete(job.key);
                this.dispatch();
            });
        this.running.set(job.id, { job, controller, done });
    }

    /** Keeps `key` busy until `work` settles, then frees it. */
    private holdUntil(key: string, work: Promise<unknown>): void {
        const release = work.finally(() => {
            this.held.delete(key);
            this.busyKeys.delete(key);
            this.dispatch();
        });
        this.held.set(key, release);
    }

    /**
     * Stops accepting, drops queued jobs, aborts running ones and waits up to `timeoutMs` for them
     * to settle. Resolves to the ids still running at the deadline.
     */
    async shutdown(timeoutMs: number): Promise<string[]> {
        this.accepting = false;
        for (const job of [...this.queue.splice(0), ...this.backgroundQueue.splice(0)]) job.dropped("shutdown");
        this.changed();
        const entries = [...this.running.values()];
        entries.forEach((e) => e.controller.abort());
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
        // Jobs, then the work they left holding a key (which settles once its engine is gone).
        const settled = Promise.all(entries.map((e) => e.done)).then(() => Promise.all(this.held.values()));
        await Promise.race([settled, deadline]);
        clearTimeout(timer);
        return [...this.running.keys()];
    }
}
