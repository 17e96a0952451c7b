/**
 * The progress stream of every operation: numbered, timestamped, replayable and live.
 *
 * Events are appended to `<dataDir>/events/<operationId>.jsonl` so a stream stays replayable
 * after a restart; subscribers get each new event as it is appended and an end signal when the
 * operation finishes. Callers scrub secrets before appending (see `scrub.ts`).
 *
 * With a registry (the service), events are rows of the registry's database instead, written in
 * its group commits (off the event loop, see `registry.ts`); an operation's events stay in memory
 * until they are committed, so a replay never reads a stream that is behind. The files remain
 * the fallback for streams written before the database, and for use without a registry.
 * Events are progress, not state: a crash may lose the last few (the stream of a finished
 * operation still ends with its final state, see `operation-routes.ts`).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecutorEvent } from "../../executors/executor";
import type { OperationEvent } from "../../executors/operation-types";
import type { Registry } from "../store/registry";

/** Receives live events; `event` undefined means the operation finished and no more will come. */
export type EventListener = (event: OperationEvent | undefined) => void;

/** Event streams of all operations. */
export class OperationEvents {
    private readonly live = new Map<string, OperationEvent[]>();
    private readonly listeners = new Map<string, Set<EventListener>>();
    private readonly dir: string;

    constructor(
        dataDir: string,
        private readonly registry?: Pick<Registry, "appendEvent" | "eventsOf" | "durable">,
    ) {
        this.dir = join(dataDir, "events");
        if (!registry) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    }

    private path(operationId: string): string {
        return join(this.dir, `${operationId}.jsonl`);
    }

    /** Starts the (empty) stream of a new operation, so its first append reads nothing from disk. */
    begin(operationId: string): void {
        if (!this.live.has(operationId)) this.live.set(operationId, []);
    }

    /** Numbers, stores and broadcasts one event. */
    append(operationId: string, event: ExecutorEvent): OperationEvent {
        const events = this.list(operationId);
        const full: OperationEvent = { seq: events.length + 1, time: new Date().toISOString(), ...event };
        events.push(full);
        this.live.set(operationId, events);
        if (this.registry) this.registry.appendEvent(operationId, full.seq, JSON.stringify(full));
        else appendFileSync(this.path(operationId), `${JSON.stringify(full)}\n`, { mode: 0o600 });
        this.listeners.get(operationId)?.forEach((l) => l(full));
        return full;
    }

    /** Every event so far, in order (from memory, or from the database or disk after a restart). */
    list(operationId: string): OperationEvent[] {
        const cached = this.live.get(operationId);
        if (cached) return cached;
        const stored = this.registry?.eventsOf(operationId) ?? [];
        if (stored.length > 0) return stored.map((e) => JSON.parse(e) as OperationEvent);
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

    /** Signals the end of an operation's stream and frees its memory once its events are committed. */
    finish(operationId: string): void {
        this.listeners.get(operationId)?.forEach((l) => l(undefined));
        this.listeners.delete(operationId);
        if (!this.registry) return void this.live.delete(operationId);
        this.registry.durable().then(
            () => this.live.delete(operationId),
            () => undefined, // the registry failed: keep serving the stream from memory
        );
    }
}
