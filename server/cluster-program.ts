/**
 * Loads the cluster program (`stacks/cluster.ts`, `clusterProgram(spec)`) lazily, so the service
 * starts and reports readiness even in a build where the program is missing or broken.
 */
import type { ClusterProgram } from "./executor-automation";
import { ExecutorError, type ReadyCheck } from "./executor";

/** Where the program lives, relative to this file. */
const MODULE = "../stacks/cluster";

function load(): ClusterProgram | Error {
    try {
        // A computed path keeps the type-checker from requiring the module at build time.
        const mod = require(MODULE) as { clusterProgram?: ClusterProgram };
        if (typeof mod.clusterProgram !== "function") return new Error("stacks/cluster.ts does not export clusterProgram(spec)");
        return mod.clusterProgram;
    } catch (e) {
        return new Error(`stacks/cluster.ts could not be loaded (${(e as NodeJS.ErrnoException).code ?? (e as Error).name})`);
    }
}

/** The program, loaded on first use. */
export const lazyClusterProgram: ClusterProgram = async (spec) => {
    const program = load();
    if (program instanceof Error) throw new ExecutorError("program-missing", program.message);
    return program(spec);
};

/** Readiness of the program module. */
export function clusterProgramCheck(): ReadyCheck {
    const program = load();
    return program instanceof Error
        ? { name: "cluster-program", ok: false, detail: program.message }
        : { name: "cluster-program", ok: true, detail: "stacks/cluster.ts" };
}
