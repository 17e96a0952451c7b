/**
 * Time, injected: the reconciler and the health monitor read the time and set timers only
 * through a {@link Clock}, so tests drive hours of schedule in milliseconds with a manual clock
 * (`test/support/manual-clock.ts`).
 */

/** A pending timer; pass it back to {@link Clock.clearTimer}. */
export type TimerHandle = { readonly id: number };

/** The time source and timer scheduler. */
export interface Clock {
    /** Epoch milliseconds. */
    now(): number;
    /** Calls `fn` once after `ms`. The timer never keeps the process alive. */
    setTimer(fn: () => void, ms: number): TimerHandle;
    clearTimer(handle: TimerHandle): void;
}

/** Node's timers cap delays at 2^31-1 ms (about 24.8 days); longer waits are chained. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The wall clock for `now`, and Node's timers measured on the monotonic clock: a timer fires
 * after `ms` of elapsed time whatever the wall clock does meanwhile. (Measured on the wall clock,
 * a step back of a day, from NTP or an operator, held every timer a day longer.)
 */
export function systemClock(): Clock {
    let next = 1;
    const timers = new Map<number, NodeJS.Timeout>();
    const arm = (id: number, fn: () => void, due: number) => {
        const delay = Math.min(Math.max(0, due - performance.now()), MAX_DELAY);
        const t = setTimeout(() => {
            if (performance.now() < due) return arm(id, fn, due);
            timers.delete(id);
            fn();
        }, delay);
        t.unref();
        timers.set(id, t);
    };
    return {
        now: () => Date.now(),
        setTimer(fn, ms) {
            const id = next++;
            arm(id, fn, performance.now() + ms);
            return { id };
        },
        clearTimer(handle) {
            clearTimeout(timers.get(handle.id));
            timers.delete(handle.id);
        },
    };
}
