/**
 * Operational routes: health, readiness and the API document are public; metrics, which name
 * every cluster, take the API or the metrics token.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { ReadyBody } from "../api-schemas";
import type { Readiness } from "../../operations/engine-readiness";
import type { ServiceMetrics } from "../../operations/metrics";
import { openApiDocument } from "../openapi";
import type { RouteTable } from "./route-table";

/** Registers `/healthz`, `/readyz`, `/metrics` and `/openapi.json`. */
export function systemRoutes(
    app: FastifyInstance,
    table: RouteTable,
    deps: { readiness: Readiness; metrics: ServiceMetrics; version: string },
): void {
    table.add(app, {
        method: "GET",
        url: "/healthz",
        summary: "Liveness: the process serves HTTP",
        auth: false,
        responses: { 200: { description: "Alive", schema: Type.Object({ status: Type.Literal("ok") }) } },
        handler: async () => ({ status: "ok" }),
    });
    table.add(app, {
        method: "GET",
        url: "/readyz",
        summary:
            "Readiness: Pulumi CLI (and its version), backend, secrets, provider plugins at the locked versions, registry writable; plus whether each seed stack is readable. Probed at most every few seconds",
        auth: false,
        responses: {
            200: { description: "Ready", schema: ReadyBody },
            503: { description: "Not ready; `message` says what to fix", schema: ReadyBody },
        },
        handler: async (_req, reply: FastifyReply) => {
            const report = await deps.readiness.report();
            reply.code(report.ready ? 200 : 503);
            return report;
        },
    });
    table.add(app, {
        method: "GET",
        url: "/metrics",
        summary:
            "Prometheus metrics: operations by kind and result, durations, queue depth, and per cluster drift, certificate expiries and newest data. Takes the API token or the scrape-only metrics token",
        auth: "metrics",
        responses: { 200: { description: "Prometheus text format", contentType: "text/plain" } },
        handler: async (_req, reply: FastifyReply) => {
            reply.header("content-type", deps.metrics.registry.contentType);
            return deps.metrics.registry.metrics();
        },
    });
    table.add(app, {
        method: "GET",
        url: "/openapi.json",
        summary: "This API as an OpenAPI 3.1 document",
        auth: false,
        responses: { 200: { description: "The OpenAPI document" } },
        handler: async () => openApiDocument(table.routes, deps.version),
    });
}
