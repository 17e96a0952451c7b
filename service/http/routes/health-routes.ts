/** `GET /v1/clusters/{id}/health`, and the health schemas the cluster listing uses too. */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ClusterParams, ErrorBody, PreviewStep } from "../api-schemas";
import type { ClusterService } from "../../operations/cluster-service";
import type { ReconcileRecord } from "../../reconcile/reconcile-store";
import { DRIFT_STATES } from "../../reconcile/reconcile-store";
import type { RouteTable } from "./route-table";
import { HEALTH_STATES, type ClusterHealth } from "../../health/cluster-health";
import type { HealthMonitor } from "../../health/health-monitor";

const State = Type.Union(HEALTH_STATES.map((s) => Type.Literal(s)));
const Part = Type.Object({
    state: State,
    reason: Type.String(),
    at: Type.Optional(Type.String({ description: "The time the part is about (ISO)" })),
});

/** The drift record as the API shows it. */
export const ReconcileBody = Type.Object({
    state: Type.Union(DRIFT_STATES.map((s) => Type.Literal(s))),
    reason: Type.Optional(Type.String()),
    checkedAt: Type.Optional(Type.String()),
    driftedSince: Type.Optional(Type.String()),
    changeSummary: Type.Optional(Type.Record(Type.String(), Type.Integer())),
    steps: Type.Optional(Type.Array(PreviewStep)),
    certificates: Type.Optional(
        Type.Record(Type.String(), Type.String(), { description: "Certificate name to notAfter (ISO)" }),
    ),
    policy: Type.Optional(Type.String()),
    nextCheckAt: Type.Optional(Type.String()),
    lastRemediation: Type.Optional(
        Type.Object({ operationId: Type.String(), reason: Type.String(), at: Type.String() }),
    ),
});

/** A cluster's health. */
export const HealthBody = Type.Object({
    state: State,
    probedAt: Type.Optional(Type.String()),
    parts: Type.Object({
        gateway: Part,
        metrics: Part,
        logs: Part,
        certificates: Part,
        drift: Part,
        lastOperation: Part,
    }),
    reconcile: Type.Optional(ReconcileBody),
});

/** The health view of a cluster: the assessment plus the reconciler's record. */
export function healthView(
    health: ClusterHealth,
    reconcile: (ReconcileRecord & { policy?: string }) | undefined,
): Record<string, unknown> {
    return { ...health, ...(reconcile ? { reconcile } : {}) };
}

/** Registers the health route. */
export function healthRoutes(
    app: FastifyInstance,
    table: RouteTable,
    deps: {
        service: ClusterService;
        health: HealthMonitor;
        reconcile(clusterId: string): (ReconcileRecord & { policy?: string }) | undefined;
    },
): void {
    table.add(app, {
        method: "GET",
        url: "/v1/clusters/:id/health",
        summary:
            "A cluster's health, probed now: gateway read listener, newest metrics and logs, first certificate expiry, drift, last operation",
        auth: true,
        params: ClusterParams,
        responses: {
            200: { description: "The health report; `state` is the worst part's", schema: HealthBody },
            400: { description: "Invalid id", schema: ErrorBody },
            401: { description: "Missing or wrong bearer token", schema: ErrorBody },
            404: { description: "No such cluster", schema: ErrorBody },
        },
        handler: async (req: FastifyRequest<{ Params: { id: string } }>) => {
            const cluster = deps.service.getCluster(req.params.id);
            return healthView(await deps.health.check(cluster), deps.reconcile(cluster.id));
        },
    });
}
