/**
 * The progress stream of every operation: numbered, timestamped, replayable and live.
 *
 * Events are appended to `<dataDir>/events/<operationId>.jsonl` so a stream stays replayable
 * after a restart; subscribers get each new event as it is appended and an end signal when the
 * operation finishes. Callers scrub secrets before appending (see `scrub.ts`).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
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
        appendFileSync(this.path(operationId), `${JSON.stringify(full)}\n`, { mode: 0o600 });
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

    /** Signals the end of an operation's stream and frees its memory. */
    finish(operationId: string): void {
        this.listeners.get(operationId)?.forEach((l) => l(undefined));
        this.listeners.delete(operationId);
        this.live.delete(operationId);
    }
}
