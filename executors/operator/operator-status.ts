/**
 * Reading a PKO `Stack`'s status (pure): has the run the executor asked for finished, and how?
 *
 * A run is recognised by PKO's own protocol: `status.lastUpdate` belongs to the request when its
 * `generation` is at least the applied object's and its `reconcileRequest` equals the
 * annotation the executor set. Until then the conditions (`Reconciling`, `Stalled`, `Ready`) only
 * tell progress, except `Stalled` on the observed request, which PKO never retries without a spec
 * change (bad source, invalid spec), so it ends the wait as a failure.
 */
import type { StackOutput } from "../executor";

/** What the executor waits for. */
export interface RunTarget {
    generation: number;
    reconcileRequest: string;
}

/** The interpretation of one observed Stack. */
export type StackProgress =
    | { phase: "waiting"; message: string }
    | { phase: "succeeded"; outputs: Record<string, StackOutput>; permalink?: string }
    | { phase: "failed"; message: string; updateName?: string };

type Obj = Record<string, unknown>;

interface Condition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

const asObj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** PKO masks secret outputs in the status with this placeholder. */
const SECRET_PLACEHOLDER = "[secret]";

/** `status.outputs` as executor outputs: the masked ones are marked secret and carry no value. */
export function stackOutputs(status: Obj): Record<string, StackOutput> {
    return Object.fromEntries(
        Object.entries(asObj(status.outputs)).map(([k, v]) => [
            k,
            v === SECRET_PLACEHOLDER ? { value: undefined, secret: true } : { value: v, secret: false },
        ]),
    );
}

function conditions(status: Obj): Condition[] {
    return Array.isArray(status.conditions)
        ? (status.conditions as Condition[]).filter((c) => typeof c?.type === "string")
        : [];
}

/** A one-line description of the conditions, for progress events. */
export function conditionSummary(status: Obj): string {
    const shown = conditions(status)
        .filter((c) => c.status === "True" || c.type === "Ready")
        .map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ""})` : ""}`);
    return shown.length > 0 ? shown.join(", ") : "no conditions yet";
}

/** Interprets `stack` (a full object from the API) against the run the executor requested. */
export function stackProgress(stack: Obj, target: RunTarget): StackProgress {
    const metadata = asObj(stack.metadata);
    const status = asObj(stack.status);
    const last = asObj(status.lastUpdate);
    const annotation = asObj(metadata.annotations)["pulumi.com/reconciliation-request"];
    const requestSeen = (value: unknown) => (value ?? "") === target.reconcileRequest;
    const ours =
        typeof last.generation === "number" &&
        last.generation >= target.generation &&
        requestSeen(last.reconcileRequest);
    if (ours && last.state === "succeeded") {
        return {
            phase: "succeeded",
            outputs: stackOutputs(status),
            permalink: typeof last.permalink === "string" && last.permalink !== "" ? last.permalink : undefined,
        };
    }
    if (ours && last.state === "failed") {
        const failures = typeof last.failures === "number" ? ` (attempt ${last.failures})` : "";
        return {
            phase: "failed",
            message: `the operator's ${String(last.type ?? "update")} failed${failures}`,
            updateName: typeof last.name === "string" ? last.name : undefined,
        };
    }
    const observed =
        typeof status.observedGeneration === "number" &&
        status.observedGeneration >= target.generation &&
        requestSeen(status.observedReconcileRequest);
    const stalled = conditions(status).find((c) => c.type === "Stalled" && c.status === "True");
    if (observed && stalled) {
        return {
            phase: "failed",
            message: `the operator stalled: ${stalled.reason ?? "unknown reason"}${stalled.message ? `: ${stalled.message}` : ""}`,
        };
    }
    if (annotation !== undefined && !requestSeen(annotation)) {
        return {
            phase: "failed",
            message: "another client requested a newer run of this Stack; this operation no longer owns it",
        };
    }
    return { phase: "waiting", message: conditionSummary(status) };
}

/**
 * What a Stack's status says about the cluster between runs (the reconciler's drift check with
 * the operator executor): PKO re-applies the stack every resync period (`refresh: true`, then
 * `up`), so drift is corrected there; what remains to report is whether the last run failed or
 * stalled. `failed` carries the reason; otherwise `message` says what the operator last did.
 */
export function stackHealth(stack: Obj): { failed: boolean; message: string; outputs: Record<string, StackOutput> } {
    const status = asObj(stack.status);
    const last = asObj(status.lastUpdate);
    const outputs = stackOutputs(status);
    const when =
        typeof status.lastUpdate === "object" && typeof last.lastResyncTime === "string"
            ? ` at ${last.lastResyncTime}`
            : "";
    const stalled = conditions(status).find((c) => c.type === "Stalled" && c.status === "True");
    if (stalled)
        return {
            failed: true,
            message: `the operator stalled: ${stalled.reason ?? "unknown reason"}${stalled.message ? `: ${stalled.message}` : ""}`,
            outputs,
        };
    if (last.state === "failed") {
        const failures = typeof last.failures === "number" ? ` (${last.failures} failure(s) in a row)` : "";
        return {
            failed: true,
            message: `the operator's last ${String(last.type ?? "update")} failed${failures}${when}`,
            outputs,
        };
    }
    if (last.state === "succeeded")
        return {
            failed: false,
            message: `the operator's last ${String(last.type ?? "update")} succeeded${when}; it re-applies the stack every resync`,
            outputs,
        };
    return { failed: false, message: `the operator has not finished a run yet: ${conditionSummary(status)}`, outputs };
}

/**
 * Interprets `stack` while it is being deleted: PKO runs `pulumi destroy` in its finalizer
 * (`destroyOnFinalize`) and records a failure in `status.lastUpdate` (type `destroy`); the object
 * disappears once the destroy succeeded, which the caller sees as a 404.
 */
export function destroyProgress(stack: Obj, generation: number): StackProgress {
    const status = asObj(stack.status);
    const last = asObj(status.lastUpdate);
    const current = typeof last.generation === "number" && last.generation >= generation;
    if (current && last.type === "destroy" && last.state === "failed") {
        return {
            phase: "failed",
            message: "the operator's destroy failed",
            updateName: typeof last.name === "string" ? last.name : undefined,
        };
    }
    return { phase: "waiting", message: `deleting; ${conditionSummary(status)}` };
}
