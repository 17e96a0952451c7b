/**
 * Routes are declared once, as data, and registered through {@link RouteTable.add}: the same
 * entries feed Fastify (validation) and `/openapi.json` (documentation), so the two cannot drift.
 */
import type { TSchema } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";

/** One documented response. */
export interface RouteResponse {
    description: string;
    schema?: TSchema;
    /** `text/event-stream`, `text/plain`, ...; JSON when absent. */
    contentType?: string;
}

/** One route: what it accepts, what it answers, and its handler. */
export interface RouteSpec {
    method: HTTPMethods;
    /** Fastify syntax: `/v1/clusters/:id`. */
    url: string;
    summary: string;
    /** Whether the bearer token is required. */
    auth: boolean;
    params?: TSchema;
    querystring?: TSchema;
    body?: TSchema;
    responses: Record<number, RouteResponse>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handler(request: FastifyRequest<any>, reply: FastifyReply): Promise<unknown>;
}

/** The registered routes, in registration order. */
export class RouteTable {
    readonly routes: RouteSpec[] = [];

    /** Registers `route` on `app` and records it for the OpenAPI document. */
    add(app: FastifyInstance, route: RouteSpec): void {
        this.routes.push(route);
        app.route({
            method: route.method,
            url: route.url,
            // Only the parts a route has: Fastify warns about keys set to undefined.
            schema: Object.fromEntries(
                Object.entries({ params: route.params, querystring: route.querystring, body: route.body }).filter(([, s]) => s !== undefined),
            ),
            config: { auth: route.auth },
            handler: route.handler,
        });
    }
}
