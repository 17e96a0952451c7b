/**
 * A service data dir holding a small fleet, written through the service's own registry and spec
 * store, and helpers to plan what the in-memory executor's previews report.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toClusterSpec } from "../../service/operations/cluster-request";
import type { ClusterBody } from "../../service/operations/cluster-body";
import type { ClusterStatus, OperationKind, OperationState, ResourceStep } from "../../executors/operation-types";
import { Registry } from "../../service/store/registry";
import { loadOrCreateKey, SpecStore } from "../../service/store/spec-store";
import { body } from "../server/support";

/** One registered cluster: its status and its operations' kinds and states, oldest first. */
export interface FleetCluster {
    id: string;
    status?: ClusterStatus;
    operations?: ReadonlyArray<[OperationKind, OperationState]>;
    /** Store no spec for it. */
    noSpec?: boolean;
}

/** A deployed, ready cluster. */
export const ready = (id: string): FleetCluster => ({ id, status: "ready", operations: [["up", "succeeded"]] });

/** Writes `clusters` into a new temp data dir (registry closed afterwards, as after a service stop). */
export function makeFleetDir(clusters: readonly FleetCluster[]): string {
    const dataDir = mkdtempSync(join(tmpdir(), "mla-fleet-"));
    const registry = Registry.open(dataDir);
    const specs = new SpecStore(registry, loadOrCreateKey(join(dataDir, "spec.key")));
    const now = new Date().toISOString();
    for (const c of clusters) {
        registry.putCluster({
            id: c.id,
            project: "team-a",
            seed: "seed-eu1",
            suspended: false,
            status: c.status ?? "ready",
            outputs: {},
            lockCheckPending: false,
            createdAt: now,
            updatedAt: now,
        });
        (c.operations ?? []).forEach(([kind, state], i) =>
            registry.putOperation({ id: `${c.id}-op${i}`, clusterId: c.id, kind, state, createdAt: now }),
        );
        const b = body() as unknown as ClusterBody;
        if (!c.noSpec) specs.save(c.id, toClusterSpec(c.id, b, b.seedKubeconfig as string));
    }
    registry.close();
    return dataDir;
}

/** Fleet dirs made by one test file, removed together in its `after`. */
export function fleetDirs(): { make(clusters: readonly FleetCluster[]): string; removeAll(): void } {
    const dirs: string[] = [];
    return {
        make(clusters) {
            const dir = makeFleetDir(clusters);
            dirs.push(dir);
            return dir;
        },
        removeAll: () => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })),
    };
}

/** An engine step of `clusterId`'s stack. */
export function step(clusterId: string, op: string, type: string, name: string, diffs: string[] = []): ResourceStep {
    return { op, urn: `urn:pulumi:${clusterId}::mla::${type}::${name}`, type, name, diffs };
}

/** A replacement as the engine reports it: three steps on one URN. */
export function replacement(clusterId: string, type: string, name: string, diffs: string[]): ResourceStep[] {
    return ["create-replacement", "replace", "delete-replaced"].map((op) => step(clusterId, op, type, name, diffs));
}
