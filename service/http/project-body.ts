/**
 * The body of `PUT /v1/projects/{project}/members` (TypeBox): the project's explicit Grafana org
 * members, each `{login or email, role}`, role Viewer or Editor. The role list is
 * `TENANT_ROLES`, the one every path checks against, so Admin is refused here (400 naming
 * `members/<i>/role`) before the service sees the body; the service checks again.
 */
import { type Static, Type } from "@sinclair/typebox";
import { MAX_PROJECT_MEMBERS, ProjectMember } from "../../spec/project-spec";
import { DnsLabel } from "../../spec/cluster-spec";

export const ProjectMembersBody = Type.Object(
    {
        members: Type.Array(ProjectMember, {
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
    members: Type.Array(ProjectMember),
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
