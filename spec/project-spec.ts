/**
 * The input of the project program: one project's Grafana org and its explicit members.
 *
 * A project's clusters share one Grafana org, so the org cannot belong to any one cluster stack.
 * It lives in its own small stack, `<seed stack>.<project>` (see {@link projectStackName}), which
 * the onboarding service creates with the project's first cluster, updates when the members
 * change, and destroys when the project's last cluster is offboarded. Cluster stacks read the org
 * id from it through a StackReference (or take `seedApi.grafanaOrgId`).
 *
 * Tenant roles are Viewer or Editor, never Admin: an org Admin can create data sources, and a
 * data source can point anywhere the seed's Grafana can reach (another tenant's gateway, the
 * backends without the tenant header). {@link TENANT_ROLES} is the one list every path checks
 * against: the HTTP schema, the stack config loader, the seed's OAuth mapping and the builder.
 */
import { type Static, Type } from "@sinclair/typebox";
import { isDnsLabel } from "./validation";

/** The Grafana org roles a tenant may hold. Admin is deliberately absent. */
export const TENANT_ROLES = ["Viewer", "Editor"] as const;

/** A tenant's Grafana org role. */
export type TenantRole = (typeof TENANT_ROLES)[number];

/** Largest member list of one project. */
export const MAX_PROJECT_MEMBERS = 1000;

const Identity = (description: string) => Type.String({ minLength: 1, maxLength: 256, pattern: "^\\S+$", description });

/** A tenant role: Viewer or Editor, never Admin (an org Admin can create data sources). */
export const TenantRoleSchema = Type.Unsafe<TenantRole>({
    type: "string",
    enum: [...TENANT_ROLES],
    description: "Viewer or Editor; never Admin, since an org Admin can create data sources",
});

/** One explicit member of a project's org: exactly one of `login` or `email` (checked below), and a role. */
export const ProjectMember = Type.Object(
    {
        login: Type.Optional(Identity("The Grafana login")),
        email: Type.Optional(Identity("The Grafana user's email")),
        role: TenantRoleSchema,
    },
    { additionalProperties: false },
);
export type ProjectMember = Static<typeof ProjectMember>;

/** Everything the project program needs. No secrets: Grafana's admin password comes from the seed stack. */
export interface ProjectSpec {
    /** The project; the org is named after it. A DNS-1123 label. */
    project: string;
    /** The seed stack, as a StackReference name: the org lives in that seed's Grafana. */
    seedStack: string;
    /** Explicit members; empty when the identity provider's org mapping is the only source. */
    members: ProjectMember[];
    /** A Grafana URL reachable from the Pulumi process; the seed's in-cluster URL when unset. */
    grafanaUrl?: string;
}

/** The org's stack output that cluster stacks read. */
export const PROJECT_ORG_ID_OUTPUT = "grafanaOrgId";

/**
 * The project stack's name: the seed stack's name plus `.<project>`, in the seed stack's
 * organization and Pulumi project (`org/mla/seed-eu1` → `org/mla/seed-eu1.team-a`). Cluster ids
 * are DNS-1123 labels and never contain a dot, so this name cannot collide with a cluster stack,
 * and one project on two seeds gets one org in each seed's Grafana.
 */
export function projectStackName(seedStack: string, project: string): string {
    return `${seedStack}.${project}`;
}

/** Who a member is, as the Grafana provider's member lists take it (login or email). */
export function memberIdentity(member: ProjectMember): string {
    return (member.login ?? member.email) as string;
}

/** A problem with one field of a member list, by its path (`members[2].role`). */
export interface MemberProblem {
    path: string;
    message: string;
}

const WHY_NOT_ADMIN = "tenants are Viewer or Editor, never Admin (an org Admin can create data sources)";

/**
 * Every problem of a member list (pure): each entry an object with exactly one of `login` or
 * `email` (non-empty, no whitespace) and a role in {@link TENANT_ROLES}; nobody listed twice.
 * `path` prefixes the field names (`members` → `members[0].role`).
 */
export function memberProblems(members: unknown, path = "members"): MemberProblem[] {
    if (!Array.isArray(members)) return [{ path, message: "must be a list of {login or email, role}" }];
    const problems: MemberProblem[] = [];
    const seen = new Map<string, number>();
    members.forEach((m, i) => {
        const at = `${path}[${i}]`;
        if (typeof m !== "object" || m === null || Array.isArray(m)) {
            problems.push({ path: at, message: "must be an object {login or email, role}" });
            return;
        }
        const entry = m as Record<string, unknown>;
        for (const key of Object.keys(entry)) {
            if (!["login", "email", "role"].includes(key))
                problems.push({ path: `${at}.${key}`, message: "is not a member field (login, email, role)" });
        }
        const ids = (["login", "email"] as const).filter((k) => entry[k] !== undefined);
        if (ids.length !== 1) problems.push({ path: at, message: "must have exactly one of login or email" });
        for (const k of ids) {
            const v = entry[k];
            if (typeof v !== "string" || v === "" || /\s/.test(v) || v.length > 256) {
                problems.push({
                    path: `${at}.${k}`,
                    message: "must be a non-empty string without whitespace, at most 256 characters",
                });
            } else if (k === "email" && !/^[^@]+@[^@]+$/.test(v)) {
                problems.push({ path: `${at}.email`, message: `must be an email address, got ${JSON.stringify(v)}` });
            } else {
                const key = v.toLowerCase();
                const first = seen.get(key);
                if (first !== undefined)
                    problems.push({
                        path: `${at}.${k}`,
                        message: `lists ${JSON.stringify(v)} again (first at ${path}[${first}])`,
                    });
                else seen.set(key, i);
            }
        }
        const role = entry.role;
        if (!(TENANT_ROLES as readonly unknown[]).includes(role)) {
            problems.push({
                path: `${at}.role`,
                message: `must be ${TENANT_ROLES.join(" or ")}, got ${JSON.stringify(role)}${typeof role === "string" && /admin/i.test(role) ? `: ${WHY_NOT_ADMIN}` : ""}`,
            });
        }
    });
    return problems;
}

/** Every problem of a project spec (pure), paths as the stack config names them. */
export function projectSpecProblems(spec: ProjectSpec): MemberProblem[] {
    const problems: MemberProblem[] = [];
    if (!isDnsLabel(spec.project)) {
        problems.push({ path: "project", message: `must be a DNS-1123 label, got ${JSON.stringify(spec.project)}` });
    }
    if (typeof spec.seedStack !== "string" || spec.seedStack === "")
        problems.push({ path: "seedStack", message: "is required" });
    if (spec.grafanaUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(spec.grafanaUrl)) {
        problems.push({
            path: "seedApi.grafanaUrl",
            message: `must be an http(s) URL, got ${JSON.stringify(spec.grafanaUrl)}`,
        });
    }
    problems.push(...memberProblems(spec.members));
    return problems;
}
