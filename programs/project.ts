/**
 * The project program: one project's Grafana org in one seed's Grafana, with its explicit
 * members and the default dashboards. `index.ts` runs it for `mla:kind: project` stacks; the
 * onboarding service runs it inline, as stack `<seed stack>.<project>` (`projectStackName`).
 *
 * Lifecycle: the service runs `up` before the project's first cluster and whenever
 * `PUT /v1/projects/{project}/members` changes the members, and `destroy` after the project's
 * last cluster is offboarded; destroying the org deletes the datasources in it. Cluster stacks
 * read the `grafanaOrgId` output through a StackReference. Run by hand, the same holds: create
 * the project stack first, destroy it after the last cluster stack.
 *
 * Grafana is reached with the seed's admin credentials, read from the seed stack's outputs
 * (the password stays a secret Output and goes only into the provider's `auth`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { defaultDashboardTexts } from "../components/seed-defaults/kubernetes-dashboards";
import { GrafanaProject } from "../components/tenant/grafana-project";
import { PROJECT_ORG_ID_OUTPUT, type ProjectSpec } from "../spec/project-spec";
import { type SeedOutputName } from "../spec/seed-contract";

/** The seed outputs the project program reads. */
const SEED_READS = {
    grafanaUrl: "grafanaUrl",
    grafanaAdminUser: "grafanaAdminUser",
    grafanaAdminPassword: "grafanaAdminPassword",
} as const satisfies Record<string, SeedOutputName>;

/** Runs the project program for `spec` (already checked); returns the stack outputs, none secret. */
export async function projectProgram(spec: ProjectSpec): Promise<Record<string, unknown>> {
    const seed = new pulumi.StackReference("seed", { name: spec.seedStack });
    const adminUser = String(await seed.requireOutputValue(SEED_READS.grafanaAdminUser));
    const provider = new grafana.Provider("grafana", {
        url: spec.grafanaUrl ?? seed.requireOutput(SEED_READS.grafanaUrl).apply(String),
        auth: pulumi.secret(pulumi.interpolate`${adminUser}:${seed.requireOutput(SEED_READS.grafanaAdminPassword)}`),
    });
    const project = new GrafanaProject(
        "project",
        { project: spec.project, members: spec.members, adminUser, dashboards: defaultDashboardTexts() },
        { providers: { grafana: provider } },
    );
    return {
        project: spec.project,
        seedStack: spec.seedStack,
        [PROJECT_ORG_ID_OUTPUT]: project.orgId,
        members: spec.members.length,
    };
}
