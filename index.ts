/**
 * The Pulumi program. Thin by design: it reads the stack's config and runs the seed program
 * (central backends, one stack per seed cluster), the cluster program (one stack per user
 * cluster) or the project program (one Grafana org per project and seed), chosen by `mla:kind`.
 */
import { ConfigReader } from "./programs/config-reader";
import { stackConfigSource } from "./programs/config";
import { loadClusterSpec } from "./programs/cluster-config";
import { clusterProgram } from "./programs/cluster";
import { loadProjectSpec } from "./programs/project-config";
import { projectProgram } from "./programs/project";
import { loadSeedSettings } from "./programs/seed-config";
import { seedProgram } from "./programs/seed";

/** Runs the program `mla:kind` names; resolves to the stack outputs. */
async function main(): Promise<Record<string, unknown>> {
    const reader = new ConfigReader(stackConfigSource());
    const kind = reader.oneOf("kind", ["seed", "cluster", "project"] as const, "seed");
    if (kind === "cluster") return clusterProgram(loadClusterSpec(reader));
    if (kind === "project") return projectProgram(loadProjectSpec(reader));
    return seedProgram(loadSeedSettings(reader));
}

// Pulumi exports the resolved object's properties as stack outputs.
export = main();
