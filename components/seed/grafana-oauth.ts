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
import { type GrafanaOAuth, grafanaOAuthProblems } from "../../spec/grafana-oauth";

/** The env var Grafana reads the client secret from (`$__env{...}` in grafana.ini). */
export const GRAFANA_OAUTH_SECRET_ENV = "MLA_GRAFANA_OAUTH_CLIENT_SECRET";

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
