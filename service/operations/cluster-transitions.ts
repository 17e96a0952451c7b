/**
 * The cluster lifecycle's table as data: every status a cluster can be in, every allowed
 * transition and who may cause it. The functions of `cluster-lifecycle.ts` implement it (a test
 * checks them against it), and docs/service-store.md shows it verbatim ({@link lifecycleTableMarkdown}).
 */
import type { ClusterStatus } from "../../executors/operation-types";

/** Who causes a transition. */
export type Cause = "user request" | "operation finish" | "restart recovery";

/** What happens to a cluster. */
export type LifecycleEvent =
    | "apply requested" // PUT, suspend, resume
    | "destroy requested" // DELETE
    | "preview requested"
    | "apply succeeded"
    | "apply failed"
    | "apply cancelled"
    | "destroy succeeded"
    | "destroy failed"
    | "destroy cancelled"
    | "operation interrupted";

/** `absent`: not in the registry. `removed`: the record is deleted. */
export type LifecycleState = ClusterStatus | "absent" | "removed";

/** One row of the lifecycle table. */
export interface Transition {
    event: LifecycleEvent;
    cause: Cause;
    from: readonly LifecycleState[];
    /** `same`: the status does not change. */
    to: LifecycleState | "same";
    note?: string;
}

const SETTLED: readonly ClusterStatus[] = ["pending", "ready", "failed", "cancelled", "interrupted"];
const ANY: readonly ClusterStatus[] = [...SETTLED, "deleting"];

/**
 * Every allowed transition. Anything not listed is refused with {@link LifecycleConflictError}
 * (user requests) or ignored (an operation finish that is not the newest request).
 */
export const TRANSITIONS: readonly Transition[] = [
    { event: "apply requested", cause: "user request", from: ["absent"], to: "pending", note: "registers the cluster" },
    {
        event: "apply requested",
        cause: "user request",
        from: SETTLED,
        to: "same",
        note: "status moves when the operation finishes",
    },
    {
        event: "destroy requested",
        cause: "user request",
        from: SETTLED,
        to: "deleting",
        note: "without the engine when the stack was never created",
    },
    {
        event: "destroy requested",
        cause: "user request",
        from: ["deleting"],
        to: "same",
        note: "joins the running destroy when `purge` matches; otherwise refused",
    },
    { event: "preview requested", cause: "user request", from: ["absent", ...SETTLED], to: "same" },
    { event: "apply succeeded", cause: "operation finish", from: SETTLED, to: "ready", note: "newest request only" },
    { event: "apply failed", cause: "operation finish", from: SETTLED, to: "failed", note: "newest request only" },
    {
        event: "apply cancelled",
        cause: "operation finish",
        from: SETTLED,
        to: "cancelled",
        note: "newest request only; also a queued operation dropped at shutdown",
    },
    {
        event: "destroy succeeded",
        cause: "operation finish",
        from: ["deleting"],
        to: "removed",
        note: "record and sealed spec deleted in one commit",
    },
    { event: "destroy failed", cause: "operation finish", from: ["deleting"], to: "failed" },
    { event: "destroy cancelled", cause: "operation finish", from: ["deleting"], to: "cancelled" },
    {
        event: "operation interrupted",
        cause: "restart recovery",
        from: ANY,
        to: "interrupted",
        note: "when the cut-off operation was the newest request, a running apply or destroy, or the cluster was deleting; a running one also sets lockCheckPending",
    },
];

/** {@link TRANSITIONS} as a markdown table (docs/service-store.md holds exactly this; a test checks it). */
export function lifecycleTableMarkdown(): string {
    const rows = TRANSITIONS.map(
        (t) =>
            `| ${t.event} | ${t.cause} | ${t.from.map((f) => `\`${f}\``).join(", ")} | ${t.to === "same" ? "unchanged" : `\`${t.to}\``} | ${t.note ?? ""} |`,
    );
    return ["| event | caused by | from | to | note |", "|---|---|---|---|---|", ...rows].join("\n");
}
