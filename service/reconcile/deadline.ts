/**
 * A deadline for work that may never settle: an engine run that hangs must not hold the
 * reconciler's background lane, and with it every cluster's checks and renewals.
 */
import type { Clock, TimerHandle } from "./clock";

/** Thrown by {@link withDeadline} when the work ran past its deadline. */
export class DeadlineError extends Error {
    constructor(timeoutMs: number) {
        super(`did not finish within ${Math.round(timeoutMs / 1000)} s and was aborted`);
        this.name = "DeadlineError";
    }
}

/** What {@link withDeadline} runs under. */
export interface DeadlineOptions {
    clock: Clock;
    timeoutMs: number;
    /** The job's signal (cancel, shutdown): passed on to the work, which must settle after it. */
    signal: AbortSignal;
    /**
     * Takes the work when the deadline gives up on it: the scheduler keeps the work's stack busy
     * until it settles, so nothing else runs on a stack an engine may still hold.
     */
    holdKey(work: Promise<unknown>): void;
}

/**
 * Runs `work` with a signal that aborts when `o.signal` does or at the deadline. At the deadline
 * it hands the still running work to `o.holdKey` and throws {@link DeadlineError}, whether or not
 * the work ever settles.
 */
export async function withDeadline<T>(o: DeadlineOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const inner = new AbortController();
    const forward = () => inner.abort();
    if (o.signal.aborted) inner.abort();
    else o.signal.addEventListener("abort", forward, { once: true });
    const running = work(inner.signal);
    let timer: TimerHandle | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = o.clock.setTimer(() => {
            inner.abort();
            o.holdKey(running);
            reject(new DeadlineError(o.timeoutMs));
        }, o.timeoutMs);
    });
    try {
        return await Promise.race([running, deadline]);
    } finally {
        if (timer) o.clock.clearTimer(timer);
        o.signal.removeEventListener("abort", forward);
    }
}
