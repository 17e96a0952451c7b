/** The `/v1/clusters` routes. */
import { operationForHttp } from "../errors";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AcceptedBody, ClusterList, ClusterParams, ClusterResponse, DeleteQuery, ErrorBody } from "../api-schemas";
import { ClusterBody } from "../../operations/cluster-body";
import type { ClusterService } from "../../operations/cluster-service";
import type { Accepted } from "../../operations/operation-submitter";
import type { ClusterRecord } from "../../../executors/operation-types";
import type { RouteResponse, RouteTable } from "./route-table";

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
type BodyRequest = FastifyRequest<{ Params: { id: string }; Body: ClusterBody }>;
type DeleteRequest = FastifyRequest<{ Params: { id: string }; Querystring: { purge?: string } }>;

const errors: Record<number, RouteResponse> = {
    400: { description: "Invalid id or body; the message lists every problem", schema: ErrorBody },
    401: { description: "Missing or wrong bearer token", schema: ErrorBody },
};
const accepted = { description: "Accepted; follow the operation", schema: AcceptedBody };
const queueFull = { description: "Queue full; see Retry-After", schema: ErrorBody };
const notFound = { description: "No such cluster", schema: ErrorBody };
const conflict = { description: "The cluster is being deleted or has no stored spec", schema: ErrorBody };

function answer(reply: FastifyReply, result: Accepted): object {
    reply.code(202).header("location", `/v1/operations/${result.operation.id}`);
    return { operationId: result.operation.id, joined: result.joined, state: result.operation.state };
}

/** Registers the cluster routes. */
export function clusterRoutes(
    app: FastifyInstance,
    table: RouteTable,
    service: ClusterService,
    health?: (c: ClusterRecord) => unknown,
): void {
    const view = (c: ClusterRecord) => {
        const last = service.lastOperation(c);
        // The health summary is the last probe's (GET .../health probes now).
        return {
            ...c,
            lastOperation: last === undefined ? undefined : operationForHttp(last),
            ...(health ? { health: health(c) } : {}),
        };
    };
    table.add(app, {
        method: "GET",
        url: "/v1/clusters",
        summary: "List clusters with their status, last operation and non-secret outputs",
        responses: { 200: { description: "All clusters", schema: ClusterList }, 401: errors[401] },
        handler: async () => ({ clusters: service.listClusters().map(view) }),
    });
    table.add(app, {
        method: "GET",
        url: "/v1/clusters/:id",
        summary: "A cluster's status, last operation and non-secret outputs",
        params: ClusterParams,
        responses: { 200: { description: "The cluster", schema: ClusterResponse }, ...errors, 404: notFound },
        handler: async (req: IdRequest) => view(service.getCluster(req.params.id)),
    });
    table.add(app, {
        method: "PUT",
        url: "/v1/clusters/:id",
        summary: "Create or update the cluster's stack (pulumi up); joins an identical queued or running request",
        params: ClusterParams,
        body: ClusterBody,
        responses: {
            202: accepted,
            ...errors,
            409: conflict,
            413: { description: "Body too large", schema: ErrorBody },
            429: queueFull,
        },
        handler: async (req: BodyRequest, reply) => answer(reply, await service.apply(req.params.id, req.body)),
    });
    table.add(app, {
        method: "POST",
        url: "/v1/clusters/:id/preview",
        summary: "Preview what PUT with this body would change: change summary and per-resource steps",
        params: ClusterParams,
        body: ClusterBody,
        responses: { 202: accepted, ...errors, 429: queueFull },
        handler: async (req: BodyRequest, reply) => answer(reply, await service.preview(req.params.id, req.body)),
    });
    table.add(app, {
        method: "DELETE",
        url: "/v1/clusters/:id",
        summary: "Destroy the cluster's stack and forget it; purge=true also deletes the tenant's data",
        params: ClusterParams,
        querystring: DeleteQuery,
        responses: { 202: accepted, ...errors, 404: notFound, 409: conflict, 429: queueFull },
        // A cluster whose stack was never created is removed without the engine, even when it is down.
        engine: (req: DeleteRequest) => !service.canRemoveWithoutEngine(req.params.id),
        handler: async (req: DeleteRequest, reply) =>
            answer(reply, await service.remove(req.params.id, req.query.purge === "true")),
    });
    for (const [action, suspended] of [
        ["suspend", true],
        ["resume", false],
    ] as const) {
        table.add(app, {
            method: "POST",
            url: `/v1/clusters/:id/${action}`,
            summary: suspended
                ? "Suspend ingestion: the gateway answers 503 and agents buffer"
                : "Resume ingestion after a suspend",
            params: ClusterParams,
            responses: { 202: accepted, ...errors, 404: notFound, 409: conflict, 429: queueFull },
            handler: async (req: IdRequest, reply) =>
                answer(reply, await service.setSuspended(req.params.id, suspended)),
        });
    }
    table.add(app, {
        method: "POST",
        url: "/v1/clusters/:id/rotate-credentials",
        summary:
            "Replace the cluster's CA, every certificate and the gateway read token in one up (the stored spec with the next " +
            "pki.credentialsGeneration); the gateway and the agents roll, old certificates are refused afterwards",
        params: ClusterParams,
        responses: { 202: accepted, ...errors, 404: notFound, 409: conflict, 429: queueFull },
        handler: async (req: IdRequest, reply) => answer(reply, await service.rotateCredentials(req.params.id)),
    });
}
