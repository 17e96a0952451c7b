/**
 * The body of `PUT /v1/projects/{project}/members` (TypeBox): the project's explicit Grafana org
 * members, each `{login or email, role}`, role Viewer or Editor. The role list is
 * `TENANT_ROLES`, the one every path checks against, so Admin is refused here (400 naming
 * `members/<i>/role`) before the service sees the body; the service checks again.
 */
import { type Static, Type } from "@sinclair/typebox";
import { TENANT_ROLES, type TenantRole } from "../../spec/project-spec";
import { DnsLabel } from "../../spec/cluster-spec";

/** Largest member list one request may set. */
export const MAX_PROJECT_MEMBERS = 1000;

const Identity = (description: string) => Type.String({ minLength: 1, maxLength: 256, pattern: "^\\S+$", description });

/** A tenant role: Viewer or Editor, never Admin (an org Admin can create data sources). */
export const TenantRoleSchema = Type.Unsafe<TenantRole>({
    type: "string",
    enum: [...TENANT_ROLES],
    description: "Viewer or Editor; never Admin, since an org Admin can create data sources",
});

/** One member; exactly one of `login` and `email` (checked by the service, which names the entry). */
export const ProjectMemberBody = Type.Object(
    {
        login: Type.Optional(Identity("The Grafana login")),
        email: Type.Optional(Identity("The Grafana user's email")),
        role: TenantRoleSchema,
    },
    { additionalProperties: false },
);

export const ProjectMembersBody = Type.Object(
    {
        members: Type.Array(ProjectMemberBody, {
            maxItems: MAX_PROJECT_MEMBERS,
            description: "The complete member list; replaces the previous one",
        }),
    },
    { additionalProperties: false },
);
export type ProjectMembersBody = Static<typeof ProjectMembersBody>;

export const ProjectParams = Type.Object({ project: DnsLabel }, { additionalProperties: false });

export const ProjectMembersResponse = Type.Object({
    project: Type.String(),
    members: Type.Array(ProjectMemberBody),
    operations: Type.Array(Type.Object({ operationId: Type.String(), stack: Type.String(), state: Type.String() }), {
        description:
            "One `up` per project stack in use (one per seed with clusters of the project); empty when the project has no cluster yet",
    }),
    stacks: Type.Record(
        Type.String(),
        Type.Object({ seedStack: Type.String(), orgId: Type.Optional(Type.Integer()) }),
        {
            description: "The project stacks applied so far, by stack name, with their Grafana org id",
        },
    ),
});
