/**
 * Grafana's generic OAuth sign-in with org membership from the identity provider's groups
 * (pure): the `auth.generic_oauth` section of `grafana.ini` and the env var that carries the
 * client secret from its Secret.
 *
 * Each project's org is joined through `org_mapping` (`<group>:<project org>:<role>`), evaluated
 * by Grafana at every sign-in. Tenant roles are Viewer or Editor only, never Admin (an org Admin
 * can create data sources), so:
 * - a mapping to Admin (or anything but Viewer/Editor) is refused here, before any value exists;
 * - `role_attribute_path` is the constant `'None'`: whatever the token says, no IdP user gets a
 *   role in the main org, and never Admin or GrafanaAdmin;
 * - `allow_assign_grafana_admin` is false and `skip_org_role_sync` false, so Grafana re-applies
 *   the mapping at each sign-in and drops memberships the IdP no longer grants;
 * - `allowed_groups` lists the mapped groups only: someone in no project cannot sign in.
 */
import { TENANT_ROLES, type TenantRole } from "../../spec/project-spec";
import { isDnsLabel } from "../../spec/validation";

/** Generic OAuth settings (`mla:grafana.oauth`). */
export interface GrafanaOAuth {
    /** The sign-in button's label. Defaults to "SSO". */
    name: string;
    clientId: string;
    /** The Secret in Grafana's namespace holding the client secret, and its key. */
    clientSecret: { name: string; key: string };
    authUrl: string;
    tokenUrl: string;
    /** The userinfo endpoint. */
    apiUrl: string;
    /** Defaults to "openid profile email groups". */
    scopes: string;
    /** JMESPath to the user's groups in the ID token or userinfo. Defaults to "groups". */
    groupsAttributePath: string;
    /** Project (org name) → IdP group → role, Viewer or Editor. */
    orgMapping: Record<string, Record<string, TenantRole>>;
    /** Whether IdP users without a Grafana account get one at first sign-in. Defaults to true. */
    allowSignUp: boolean;
}

/** Defaults of the optional fields, next to the type. */
export const GRAFANA_OAUTH_DEFAULTS = {
    name: "SSO",
    scopes: "openid profile email groups",
    groupsAttributePath: "groups",
    allowSignUp: true,
} as const;

/** The env var Grafana reads the client secret from (`$__env{...}` in grafana.ini). */
export const GRAFANA_OAUTH_SECRET_ENV = "MLA_GRAFANA_OAUTH_CLIENT_SECRET";

/** Characters that would split or corrupt an `org_mapping` entry (`group:org:role`, comma/space separated). */
const MAPPING_UNSAFE = /[\s,:"'[\]]/;

const WHY_NOT_ADMIN = "tenants are Viewer or Editor, never Admin (an org Admin can create data sources)";

/** Every problem of the OAuth settings (pure); paths as the seed config names them (`grafana.oauth.*`). */
export function grafanaOAuthProblems(oauth: GrafanaOAuth): { path: string; message: string }[] {
    const problems: { path: string; message: string }[] = [];
    const at = (p: string) => `grafana.oauth.${p}`;
    if (oauth.clientId === "") problems.push({ path: at("clientId"), message: "is required" });
    for (const key of ["name", "key"] as const) {
        if (oauth.clientSecret[key] === "")
            problems.push({
                path: at(`clientSecret.${key}`),
                message: "is required (the client secret comes from a Secret, never from the config)",
            });
    }
    for (const key of ["authUrl", "tokenUrl", "apiUrl"] as const) {
        if (!/^https:\/\/[^\s/]+/.test(oauth[key]))
            problems.push({ path: at(key), message: `must be an https:// URL, got ${JSON.stringify(oauth[key])}` });
    }
    const projects = Object.entries(oauth.orgMapping);
    if (projects.length === 0)
        problems.push({ path: at("orgMapping"), message: "must map at least one project to its groups" });
    for (const [project, groups] of projects) {
        if (!isDnsLabel(project))
            problems.push({ path: at(`orgMapping.${project}`), message: "must be a project name (a DNS-1123 label)" });
        if (typeof groups !== "object" || groups === null || Object.keys(groups).length === 0) {
            problems.push({
                path: at(`orgMapping.${project}`),
                message: "must map at least one group to Viewer or Editor",
            });
            continue;
        }
        for (const [group, role] of Object.entries(groups)) {
            const path = at(`orgMapping.${project}.${group}`);
            if (group === "" || group === "*" || MAPPING_UNSAFE.test(group)) {
                problems.push({
                    path,
                    message: 'must be a group name without whitespace, commas, colons, quotes or brackets, and not "*"',
                });
            }
            if (!(TENANT_ROLES as readonly unknown[]).includes(role)) {
                problems.push({
                    path,
                    message: `must be ${TENANT_ROLES.join(" or ")}, got ${JSON.stringify(role)}${typeof role === "string" && /admin/i.test(role) ? `: ${WHY_NOT_ADMIN}` : ""}`,
                });
            }
        }
    }
    return problems;
}

/** Thrown by the builders for settings that {@link grafanaOAuthProblems} refuses. */
export class GrafanaOAuthError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`${problems.length} problem${problems.length === 1 ? "" : "s"} in grafana.oauth: ${problems.join("; ")}`);
        this.name = "GrafanaOAuthError";
    }
}

function checked(oauth: GrafanaOAuth): GrafanaOAuth {
    const problems = grafanaOAuthProblems(oauth);
    if (problems.length > 0) throw new GrafanaOAuthError(problems.map((p) => `${p.path} ${p.message}`));
    return oauth;
}

/** The `org_mapping` value: `group:project:Role` entries, sorted, comma-separated. */
export function orgMappingValue(mapping: GrafanaOAuth["orgMapping"]): string {
    const entries: string[] = [];
    for (const [project, groups] of Object.entries(mapping)) {
        for (const [group, role] of Object.entries(groups)) entries.push(`${group}:${project}:${role}`);
    }
    return entries.sort().join(",");
}

/** The `grafana.ini` sections for generic OAuth; throws {@link GrafanaOAuthError} on refused settings. */
export function grafanaOAuthIni(settings: GrafanaOAuth): Record<string, Record<string, unknown>> {
    const oauth = checked(settings);
    const groups = [...new Set(Object.values(oauth.orgMapping).flatMap((g) => Object.keys(g)))].sort();
    return {
        "auth.generic_oauth": {
            enabled: true,
            name: oauth.name,
            client_id: oauth.clientId,
            client_secret: `$__env{${GRAFANA_OAUTH_SECRET_ENV}}`,
            scopes: oauth.scopes,
            auth_url: oauth.authUrl,
            token_url: oauth.tokenUrl,
            api_url: oauth.apiUrl,
            use_pkce: true,
            allow_sign_up: oauth.allowSignUp,
            groups_attribute_path: oauth.groupsAttributePath,
            allowed_groups: groups.join(","),
            org_attribute_path: oauth.groupsAttributePath,
            org_mapping: orgMappingValue(oauth.orgMapping),
            role_attribute_path: "'None'",
            role_attribute_strict: false,
            allow_assign_grafana_admin: false,
            skip_org_role_sync: false,
        },
    };
}

/** The chart's `envValueFrom` entry for the client secret. */
export function grafanaOAuthEnv(
    settings: GrafanaOAuth,
): Record<string, { secretKeyRef: { name: string; key: string } }> {
    const oauth = checked(settings);
    return {
        [GRAFANA_OAUTH_SECRET_ENV]: { secretKeyRef: { name: oauth.clientSecret.name, key: oauth.clientSecret.key } },
    };
}
