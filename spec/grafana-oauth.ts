/**
 * Grafana's generic OAuth sign-in as the seed spec takes it (`mla:grafana.oauth`), its defaults and
 * its checks (pure). Tenant roles are Viewer or Editor only, never Admin (an org Admin can create
 * data sources); the builders of `grafana.ini` are in `components/seed/grafana-oauth.ts`.
 */
import { type Static, Type } from "@sinclair/typebox";
import { TENANT_ROLES, type TenantRole } from "./project-spec";
import { isDnsLabel } from "./validation";

const STRICT = { additionalProperties: false } as const;

/** Generic OAuth settings (`mla:grafana.oauth`). */
export const GrafanaOAuth = Type.Object(
    {
        /** The sign-in button's label. */
        name: Type.String({ maxLength: 100 }),
        clientId: Type.String({ maxLength: 500 }),
        /** The Secret in Grafana's namespace holding the client secret, and its key; never the secret. */
        clientSecret: Type.Object(
            { name: Type.String({ maxLength: 253 }), key: Type.String({ maxLength: 253 }) },
            STRICT,
        ),
        authUrl: Type.String({ maxLength: 2000 }),
        tokenUrl: Type.String({ maxLength: 2000 }),
        /** The userinfo endpoint. */
        apiUrl: Type.String({ maxLength: 2000 }),
        scopes: Type.String({ maxLength: 1000 }),
        /** JMESPath to the user's groups in the ID token or userinfo. */
        groupsAttributePath: Type.String({ maxLength: 1000 }),
        /** Project (org name) → IdP group → role, Viewer or Editor (checked with a reason below). */
        orgMapping: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unsafe<TenantRole>(Type.String()))),
        /** Whether IdP users without a Grafana account get one at first sign-in. */
        allowSignUp: Type.Boolean(),
    },
    STRICT,
);
export type GrafanaOAuth = Static<typeof GrafanaOAuth>;

/** Defaults of the optional fields, next to the schema. */
export const GRAFANA_OAUTH_DEFAULTS = {
    name: "SSO",
    scopes: "openid profile email groups",
    groupsAttributePath: "groups",
    allowSignUp: true,
} as const satisfies Partial<GrafanaOAuth>;

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
