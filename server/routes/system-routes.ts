/** Unauthenticated operational routes: health, readiness, metrics and the API document. */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { ReadyBody } from "../api-schemas";
import type { Executor } from "../executor";
import type { ServiceMetrics } from "../metrics";
import { openApiDocument } from "../openapi";
import type { Registry } from "../registry";
import type { RouteTable } from "./route-table";

/** Registers `/healthz`, `/readyz`, `/metrics` and `/openapi.json`. */
export function systemRoutes(
    app: FastifyInstance,
    table: RouteTable,
    deps: { executor: Executor; registry: Registry; metrics: ServiceMetrics; version: string },
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
        summary: "Readiness: Pulumi CLI present (and its version), backend reachable, registry writable",
        auth: false,
        responses: {
            200: { description: "Ready", schema: ReadyBody },
            503: { description: "Not ready; `message` says what to fix", schema: ReadyBody },
        },
        handler: async (_req, reply: FastifyReply) => {
            const checks = [...(await deps.executor.checkReady()), deps.registry.checkWritable()];
            const failing = checks.filter((c) => !c.ok);
            reply.code(failing.length === 0 ? 200 : 503);
            return {
                ready: failing.length === 0,
                message: failing.length === 0 ? "ready" : failing.map((c) => `${c.name}: ${c.detail}`).join("; "),
                checks,
            };
        },
    });
    table.add(app, {
        method: "GET",
        url: "/metrics",
        summary: "Prometheus metrics: operations by kind and result, durations, queue depth",
        auth: false,
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
