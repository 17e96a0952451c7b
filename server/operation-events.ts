/**
 * The progress stream of every operation: numbered, timestamped, replayable and live.
 *
 * Events are appended to `<dataDir>/events/<operationId>.jsonl` so a stream stays replayable
 * after a restart; subscribers get each new event as it is appended and an end signal when the
 * operation finishes. Callers scrub secrets before appending (see `scrub.ts`).
 *
 * The files are written off the event loop: lines gather per operation and are appended
 * asynchronously on the next turn, one write at a time per operation (so lines stay in order).
 * An operation's events stay in memory until its last line is on disk, so a replay never reads
 * a file that is behind. Events are progress, not state: a crash may lose the last few lines (the
 * stream of a finished operation still ends with its final state, see `operation-routes.ts`).
 */
import { appendFile, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecutorEvent } from "./executor";
import type { OperationEvent } from "./operation-types";

/** Receives live events; `event` undefined means the operation finished and no more will come. */
export type EventListener = (event: OperationEvent | undefined) => void;

/** Event streams of all operations. */
export class OperationEvents {
    private readonly live = new Map<string, OperationEvent[]>();
    private readonly listeners = new Map<string, Set<EventListener>>();
    private readonly dir: string;
    /** Lines not yet handed to the disk, per operation. */
    private readonly pending = new Map<string, string[]>();
    /** Operations with an append in flight. */
    private readonly writing = new Set<string>();
    /** Finished operations whose lines are still on their way to disk. */
    private readonly finished = new Set<string>();
    private flushScheduled = false;
    private idleWaiters: Array<() => void> = [];

    constructor(dataDir: string) {
        this.dir = join(dataDir, "events");
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    }

    private path(operationId: string): string {
        return join(this.dir, `${operationId}.jsonl`);
    }

    /** Numbers, stores and broadcasts one event. */
    append(operationId: string, event: ExecutorEvent): OperationEvent {
        const events = this.list(operationId);
        const full: OperationEvent = { seq: events.length + 1, time: new Date().toISOString(), ...event };
        events.push(full);
        this.live.set(operationId, events);
        const lines = this.pending.get(operationId);
        if (lines) lines.push(`${JSON.stringify(full)}\n`);
        else this.pending.set(operationId, [`${JSON.stringify(full)}\n`]);
        if (!this.flushScheduled) {
            this.flushScheduled = true;
            setImmediate(() => this.flush());
        }
        this.listeners.get(operationId)?.forEach((l) => l(full));
        return full;
    }

    /** Every event so far, in order (from memory, or from disk after a restart). */
    list(operationId: string): OperationEvent[] {
        const cached = this.live.get(operationId);
        if (cached) return cached;
        if (!existsSync(this.path(operationId))) return [];
        const events: OperationEvent[] = [];
        for (const line of readFileSync(this.path(operationId), "utf8").split("\n")) {
            try {
                if (line.trim() !== "") events.push(JSON.parse(line) as OperationEvent);
            } catch {
                // a torn trailing line from a crash
            }
        }
        return events;
    }

    /** Subscribes to new events; returns the unsubscribe function. */
    subscribe(operationId: string, listener: EventListener): () => void {
        let set = this.listeners.get(operationId);
        if (!set) this.listeners.set(operationId, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
    }

    /** Signals the end of an operation's stream and frees its memory once its lines are on disk. */
    finish(operationId: string): void {
        this.listeners.get(operationId)?.forEach((l) => l(undefined));
        this.listeners.delete(operationId);
        this.finished.add(operationId);
        this.release(operationId);
    }

    private release(operationId: string): void {
        if (!this.finished.has(operationId) || this.pending.has(operationId) || this.writing.has(operationId)) return;
        this.finished.delete(operationId);
        this.live.delete(operationId);
    }

    /** Starts one append per operation that has lines and none in flight. */
    private flush(): void {
        this.flushScheduled = false;
        for (const [operationId, lines] of this.pending) {
            if (this.writing.has(operationId)) continue;
            this.pending.delete(operationId);
            this.writing.add(operationId);
            appendFile(this.path(operationId), lines.join(""), { mode: 0o600 }, () => {
                // A failed append loses progress lines only; the operation's record is in the registry.
                this.writing.delete(operationId);
                if (this.pending.has(operationId)) this.flush();
                else this.release(operationId);
                if (this.writing.size === 0 && this.pending.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
            });
        }
    }

    /** Resolves once every event appended so far is on disk (shutdown, tests). */
    idle(): Promise<void> {
        if (this.writing.size === 0 && this.pending.size === 0) return Promise.resolve();
        return new Promise((resolve) => this.idleWaiters.push(resolve));
    }
}
