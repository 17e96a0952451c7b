/**
 * The `lockCheckPending` flag of a cluster: set where an engine may have stopped holding the
 * stack's lock (a cancel that reached it, a drift check past its deadline; restart recovery sets it
 * on the records it rebuilds), cleared once the next operation has run `pulumi cancel`.
 */
import type { Registry } from "./registry";

/** Sets or clears the flag on the cluster's current record; a cluster since removed is left alone. */
export function setLockCheckPending(registry: Registry, clusterId: string, pending: boolean, now: string): void {
    const cluster = registry.cluster(clusterId);
    if (cluster) registry.putCluster({ ...cluster, lockCheckPending: pending, updatedAt: now });
}
