/**
 * The project stack's config loader (`mla:kind: project`): `mla:project`, `mla:seedStack`,
 * `mla:members` and `mla:seedApi.grafanaUrl` to a {@link ProjectSpec}, reporting every mistake at
 * once. An Admin role in `mla:members` is refused here, before anything runs.
 */
import type { ConfigReader } from "./config-reader";
import { type ProjectMember, type ProjectSpec, projectSpecProblems } from "../spec/project-spec";

/** Reads and checks the project stack's config; throws one `ConfigError` listing every problem. */
export function loadProjectSpec(reader: ConfigReader): ProjectSpec {
    const seedApi = reader.object("seedApi") ?? {};
    for (const key of Object.keys(seedApi)) {
        if (key !== "grafanaUrl") reader.problem(`seedApi.${key}`, "is not used by project stacks (only grafanaUrl)");
    }
    const members = reader.raw("members") ?? [];
    const spec: ProjectSpec = {
        project: reader.string("project", { required: true }),
        seedStack: reader.string("seedStack", { required: true }),
        members: members as ProjectMember[],
        grafanaUrl: reader.string("seedApi.grafanaUrl"),
    };
    for (const p of projectSpecProblems(spec)) {
        // Missing identity keys were reported by `required` already.
        if ((p.path === "project" || p.path === "seedStack") && spec[p.path] === "") continue;
        reader.problem(p.path, p.message);
    }
    reader.done();
    return spec;
}
