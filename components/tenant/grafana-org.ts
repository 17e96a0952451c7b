/**
 * The inputs of a project's Grafana org and of the dashboards imported into it (pure), for the
 * `@pulumiverse/grafana` resources that {@link GrafanaProject} creates.
 *
 * The org holds no Admin but the seed's own admin user: tenants are Viewer or Editor, checked
 * here again (the HTTP schema and the config loaders check first), so no caller can build an org
 * that grants Admin. Members must already exist in Grafana (`createUsers: false`): Grafana would
 * otherwise create local placeholder accounts with random passwords.
 *
 * This replaces a hand-written dynamic provider (HTTP calls to `/api/orgs`), which also tried
 * to delete a cluster's provisioned datasources on destroy; Grafana refuses that for provisioned
 * (read-only) datasources with 403, so no API client can do it. Deleting the org, when the
 * project's last cluster leaves, deletes its datasources with it.
 */
import { type ProjectMember, TENANT_ROLES, memberIdentity, memberProblems } from "../../spec/project-spec";
import { isDnsLabel } from "../../spec/validation";
import { throwIfProblems } from "./tenant-error";

/** What the org is built from. */
export interface OrgSource {
    /** The project: the org's name. */
    project: string;
    /** Explicit members (Viewer or Editor). */
    members: readonly ProjectMember[];
    /** The seed's Grafana admin login, which Grafana adds to every org; it stays the only Admin. */
    adminUser: string;
}

/** The `grafana.oss.Organization` inputs. */
export interface OrganizationInputs {
    name: string;
    adminUser: string;
    createUsers: false;
    /** Always empty: the admin user is an Admin through `adminUser`, nobody else is. */
    admins: string[];
    editors: string[];
    viewers: string[];
}

/**
 * The org's inputs; throws a TenantConfigError listing every problem (an Admin role, a member
 * listed twice, the admin user listed as a member). Lists are sorted, so reordering the members
 * changes nothing.
 */
export function organizationInputs(source: OrgSource): OrganizationInputs {
    const problems = memberProblems(source.members).map((p) => `${p.path} ${p.message}`);
    if (!isDnsLabel(source.project))
        problems.push(`project ${JSON.stringify(source.project)} must be a DNS-1123 label`);
    source.members.forEach((m, i) => {
        if (memberIdentity(m)?.toLowerCase() === source.adminUser.toLowerCase()) {
            problems.push(
                `members[${i}] is the seed's Grafana admin user "${source.adminUser}", which is managed by the seed`,
            );
        }
    });
    throwIfProblems(problems);
    const byRole = (role: (typeof TENANT_ROLES)[number]) =>
        source.members
            .filter((m) => m.role === role)
            .map(memberIdentity)
            .sort();
    return {
        name: source.project,
        adminUser: source.adminUser,
        createUsers: false,
        admins: [],
        editors: byRole("Editor"),
        viewers: byRole("Viewer"),
    };
}

/**
 * Inputs the org resource must not manage (`ignoreChanges`): with no explicit members, the
 * identity provider's org mapping owns viewers and editors, so a refresh that sees the users OAuth
 * added must not make the next `up` remove them. `admins` is never ignored.
 */
export function organizationIgnoreChanges(members: readonly ProjectMember[]): string[] {
    return members.length === 0 ? ["editors", "viewers"] : [];
}

/** One dashboard to import: its uid (for the resource name) and JSON model text. */
export interface DashboardImport {
    uid: string;
    configJson: string;
}

/**
 * The dashboards to import, from JSON model texts (see components/seed-defaults); throws when a
 * text is not a JSON object with a string `uid`, or two share a uid.
 */
export function dashboardImports(texts: readonly string[]): DashboardImport[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    const out: DashboardImport[] = [];
    texts.forEach((text, i) => {
        let model: unknown;
        try {
            model = JSON.parse(text);
        } catch {
            problems.push(`dashboards[${i}] is not JSON`);
            return;
        }
        const uid = (model as { uid?: unknown } | null)?.uid;
        if (typeof uid !== "string" || !isDnsLabel(uid)) {
            problems.push(`dashboards[${i}] needs a uid that is a DNS-1123 label, got ${JSON.stringify(uid)}`);
        } else if (seen.has(uid)) {
            problems.push(`dashboards[${i}] repeats uid ${uid}`);
        } else {
            seen.add(uid);
            out.push({ uid, configJson: JSON.stringify(model) });
        }
    });
    throwIfProblems(problems);
    return out;
}
