/**
 * The cluster program as the service runs it, and its readiness check.
 */
import { clusterProgram } from "../programs/cluster";
import type { ClusterProgram } from "./automation/executor-automation";
import type { ReadyCheck } from "./executor";

/** The inline program of every cluster stack: `programs/cluster.ts`, the same one `index.ts` runs. */
export const inlineClusterProgram: ClusterProgram = (spec) => clusterProgram(spec);

/** Readiness of the program module: it is linked statically, so it is always present. */
export function clusterProgramCheck(): ReadyCheck {
    return { name: "cluster-program", ok: true, detail: "programs/cluster.ts" };
}
