/**
 * How the in-memory executor pretends to work: cancellable pauses and the change summary of the
 * steps it reports.
 */
import { ExecutorError } from "../executor";
import type { ResourceStep } from "../operation-types";

/** Rejects with "cancelled" once `signal` aborts (at once when it already has). */
export function cancelled(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => {
        if (signal.aborted) reject(new ExecutorError("cancelled", "cancelled"));
        signal.addEventListener("abort", () => reject(new ExecutorError("cancelled", "cancelled")), { once: true });
    });
}

/** Resolves after `ms`, or rejects with "cancelled" when `signal` aborts first. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
    return Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), cancelled(signal)]);
}

/** All steps share one op: that op and how many. */
export function summaryOf(steps: ResourceStep[]): Record<string, number> {
    return { [steps[0]?.op ?? "same"]: steps.length };
}
