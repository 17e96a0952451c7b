/** The `/v1/projects` routes: a project's explicit Grafana org members. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorBody } from "../api-schemas";
import { HttpError } from "../errors";
import type { ServiceMetrics } from "../../operations/metrics";
import { ProjectMembersBody, ProjectMembersResponse, ProjectParams } from "../project-body";
import { ProjectInputError, type ProjectService } from "../../operations/project-service";
import type { ProjectRecord } from "../../store/project-store";
import { QueueFullError, ShuttingDownError } from "../../operations/scheduler";
import type { RouteTable } from "./route-table";

type ProjectRequest = FastifyRequest<{ Params: { project: string } }>;
type MembersRequest = FastifyRequest<{ Params: { project: string }; Body: ProjectMembersBody }>;

const errors = {
    400: {
        description: "Invalid project or body; the message names every bad field (an Admin role among them)",
        schema: ErrorBody,
    },
    401: { description: "Missing or wrong bearer token", schema: ErrorBody },
};

/** The service's domain errors in HTTP terms. */
function httpError(e: unknown, metrics: ServiceMetrics): unknown {
    if (e instanceof ProjectInputError) return new HttpError(400, e.message);
    if (e instanceof QueueFullError) {
        metrics.rejected.inc();
        return new HttpError(429, e.message, { "retry-after": String(e.retryAfterSeconds) });
    }
    if (e instanceof ShuttingDownError) return new HttpError(503, e.message, { "retry-after": "10" });
    return e;
}

function stacksView(record: ProjectRecord) {
    return Object.fromEntries(
        Object.entries(record.stacks).map(([name, s]) => [
            name,
            { seedStack: s.seedStack, ...(s.orgId !== undefined ? { orgId: s.orgId } : {}) },
        ]),
    );
}

/** Registers the project routes. */
export function projectRoutes(
    app: FastifyInstance,
    table: RouteTable,
    projects: ProjectService,
    metrics: ServiceMetrics,
): void {
    table.add(app, {
        method: "GET",
        url: "/v1/projects/:project/members",
        summary: "A project's explicit Grafana org members and its project stacks (one per seed)",
        params: ProjectParams,
        responses: { 200: { description: "The members", schema: ProjectMembersResponse }, ...errors },
        handler: async (req: ProjectRequest) => {
            const record = projects.get(req.params.project);
            return { project: record.project, members: record.members, operations: [], stacks: stacksView(record) };
        },
    });
    table.add(app, {
        method: "PUT",
        url: "/v1/projects/:project/members",
        summary:
            "Replace a project's explicit Grafana org members (Viewer or Editor) and update its org on every seed with clusters of the project",
        params: ProjectParams,
        body: ProjectMembersBody,
        responses: {
            200: {
                description:
                    "Stored; the project has no cluster yet, its first cluster's onboarding creates the org with these members",
                schema: ProjectMembersResponse,
            },
            202: {
                description: "Stored; the org updates run as the listed operations",
                schema: ProjectMembersResponse,
            },
            ...errors,
            429: { description: "Queue full; see Retry-After", schema: ErrorBody },
        },
        handler: async (req: MembersRequest, reply: FastifyReply) => {
            const accepted = await projects.setMembers(req.params.project, req.body.members).catch((e: unknown) => {
                throw httpError(e, metrics);
            });
            const operations = accepted.operations.map((op) => ({
                operationId: op.id,
                stack: op.clusterId,
                state: op.state,
            }));
            if (operations.length > 0)
                reply.code(202).header("location", `/v1/operations/${operations[0].operationId}`);
            return {
                project: accepted.project,
                members: accepted.members,
                operations,
                stacks: stacksView(projects.get(accepted.project)),
            };
        },
    });
}
