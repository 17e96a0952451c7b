/**
 * `GrafanaProject`: one project's Grafana org, its explicit members, and the default dashboards
 * imported into it, as `@pulumiverse/grafana` resources.
 *
 * Give the Grafana provider (basic auth as the seed's admin: organizations are instance-scoped
 * and need it) through `opts.providers` or `opts.provider`. Every cluster of the project puts
 * its datasources into this org; see `programs/project.ts` for who creates and destroys it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import type { ProjectMember } from "../../spec/project-spec";
import { dashboardImports, organizationIgnoreChanges, organizationInputs } from "./grafana-org";

/** The folder the imported dashboards go to, as in the main org (the seed's sidecar folder). */
export const PROJECT_DASHBOARD_FOLDER = { uid: "mla-kubernetes", title: "Kubernetes" } as const;

/** Arguments of {@link GrafanaProject}. */
export interface GrafanaProjectArgs {
    /** The project; the org is named after it. */
    project: string;
    /** Explicit members, Viewer or Editor. Defaults to none (the IdP's org mapping alone). */
    members?: readonly ProjectMember[];
    /** The seed's Grafana admin login (seed output `grafanaAdminUser`). */
    adminUser: string;
    /** Dashboards (JSON model texts) to import into the org. Defaults to none. */
    dashboards?: readonly string[];
}

/** A project's Grafana org with its members and dashboards. */
export class GrafanaProject extends pulumi.ComponentResource {
    /** The org's numeric id: what the clusters' datasources need. */
    readonly orgId: pulumi.Output<number>;
    readonly organization: grafana.oss.Organization;

    constructor(name: string, args: GrafanaProjectArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mla:tenant:GrafanaProject", name, {}, opts);
        // Both builders throw, listing every problem, before anything is created.
        const org = organizationInputs({
            project: args.project,
            members: args.members ?? [],
            adminUser: args.adminUser,
        });
        const dashboards = dashboardImports(args.dashboards ?? []);

        this.organization = new grafana.oss.Organization(name, org, {
            parent: this,
            ignoreChanges: organizationIgnoreChanges(args.members ?? []),
        });
        this.orgId = this.organization.orgId;
        const orgId = this.orgId.apply(String);
        if (dashboards.length > 0) {
            const folder = new grafana.oss.Folder(
                `${name}-folder`,
                { orgId, uid: PROJECT_DASHBOARD_FOLDER.uid, title: PROJECT_DASHBOARD_FOLDER.title },
                { parent: this },
            );
            for (const d of dashboards) {
                new grafana.oss.Dashboard(
                    `${name}-dashboard-${d.uid}`,
                    { orgId, folder: folder.uid, configJson: d.configJson, overwrite: true },
                    { parent: this },
                );
            }
        }
        this.registerOutputs({ orgId: this.orgId });
    }
}
