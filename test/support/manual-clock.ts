/** A {@link Clock} that moves only when a test says so: `advance` fires the timers that fall due, in order. */
import type { Clock, TimerHandle } from "../../service/reconcile/clock";

/** A manual clock starting at `start` (epoch ms). */
export class ManualClock implements Clock {
    private current: number;
    private next = 1;
    private readonly timers = new Map<number, { due: number; fn: () => void }>();

    constructor(start = Date.parse("2030-01-01T00:00:00Z")) {
        this.current = start;
    }

    now(): number {
        return this.current;
    }

    setTimer(fn: () => void, ms: number): TimerHandle {
        const id = this.next++;
        this.timers.set(id, { due: this.current + Math.max(0, ms), fn });
        return { id };
    }

    clearTimer(handle: TimerHandle): void {
        this.timers.delete(handle.id);
    }

    /** Timers pending. */
    get pending(): number {
        return this.timers.size;
    }

    /** Moves time forward by `ms`, firing every timer that falls due (including ones set while firing). */
    advance(ms: number): void {
        const end = this.current + ms;
        for (;;) {
            let first: [number, { due: number; fn: () => void }] | undefined;
            for (const entry of this.timers)
                if (entry[1].due <= end && (!first || entry[1].due < first[1].due)) first = entry;
            if (!first) break;
            this.timers.delete(first[0]);
            this.current = Math.max(this.current, first[1].due);
            first[1].fn();
        }
        this.current = end;
    }
}
