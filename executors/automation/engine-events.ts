/**
 * Turns Pulumi engine events into readable progress steps and collects a preview's per-resource
 * steps. Only the step's op, URN, type and changed property *names* are kept: the metadata's
 * `old`/`new` states carry resource inputs and outputs, provider kubeconfigs included.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { ExecutorEvent } from "../executor";
import type { ChangeSummary, ResourceStep } from "../operation-types";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m|<\{%[^%]*%\}>/g;

/** The resource name at the end of a URN (`urn:pulumi:s::p::t::name` → `name`). */
export function urnName(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/** The readable step of a `resourcePreEvent`, or undefined for unchanged and internal resources. */
export function stepOf(event: EngineEvent): ResourceStep | undefined {
    const meta = event.resourcePreEvent?.metadata;
    if (!meta || meta.op === "same" || meta.type === "pulumi:pulumi:Stack") return undefined;
    const diffs = [
        ...new Set([...(meta.diffs ?? []), ...Object.keys(meta.detailedDiff ?? {}).map((k) => k.split(/[.[]/)[0])]),
    ];
    return { op: meta.op, urn: meta.urn, type: meta.type, name: urnName(meta.urn), diffs: diffs.sort() };
}

/** A one-line account of a change summary: `2 create, 1 update, 10 same`. */
export function summaryText(changes: ChangeSummary): string {
    const parts = Object.entries(changes).map(([op, n]) => `${n} ${op}`);
    return parts.length === 0 ? "no changes" : parts.join(", ");
}

/** The readable progress event for an engine event, or undefined when it is noise. */
export function readableEvent(event: EngineEvent): ExecutorEvent | undefined {
    const step = stepOf(event);
    if (step) {
        const changed = step.diffs.length > 0 ? ` (${step.diffs.join(", ")})` : "";
        return { type: "step", message: `${step.op} ${step.type} ${step.name}${changed}`, data: { ...step } };
    }
    if (event.resOpFailedEvent) {
        const urn = event.resOpFailedEvent.metadata.urn;
        return {
            type: "step",
            message: `failed: ${event.resOpFailedEvent.metadata.op} ${urnName(urn)}`,
            data: { urn },
        };
    }
    if (event.diagnosticEvent) {
        const d = event.diagnosticEvent;
        if (d.severity === "info" && d.ephemeral) return undefined;
        const text = d.message.replace(ANSI, "").trim();
        if (text === "") return undefined;
        return {
            type: "log",
            message: `${d.severity === "info#err" ? "info" : d.severity}: ${text}`,
            data: d.urn ? { urn: d.urn } : undefined,
        };
    }
    if (event.summaryEvent) {
        const s = event.summaryEvent;
        return {
            type: "summary",
            message: `${summaryText(s.resourceChanges as ChangeSummary)} in ${s.durationSeconds} s`,
            data: { changes: s.resourceChanges },
        };
    }
    if (event.cancelEvent) return { type: "log", message: "the engine acknowledged the cancellation" };
    return undefined;
}

/** Feeds events to a callback and remembers the steps and the summary. */
export class StepCollector {
    readonly steps: ResourceStep[] = [];
    changeSummary: ChangeSummary = {};

    constructor(private readonly onEvent: (event: ExecutorEvent) => void) {}

    /** The `onEvent` to hand to the Automation API. */
    readonly handle = (event: EngineEvent): void => {
        const step = stepOf(event);
        if (step) this.steps.push(step);
        if (event.summaryEvent) this.changeSummary = event.summaryEvent.resourceChanges as ChangeSummary;
        const readable = readableEvent(event);
        if (readable) this.onEvent(readable);
    };
}
