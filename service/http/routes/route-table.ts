/**
 * Routes are declared once, as data, and registered through {@link RouteTable.add}: the same
 * entries feed Fastify (validation), the authentication hook (`auth.ts`) and `/openapi.json`
 * (documentation), so the three cannot drift.
 *
 * Deny by default: a route needs the bearer token unless it says `auth: false`. The decision is
 * taken on the route the router matched (its `config.auth`), never on the raw URL.
 */
import type { TSchema } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { type EngineNeed, engineNeed } from "../engine-gate";
import { bodyValidationSchema } from "../validation-schema";

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
    /**
     * `false` makes the route public (health, readiness, the API document); `"metrics"` takes the
     * API token or the metrics token (`/metrics`). Anything else, including leaving it out,
     * requires the API token.
     */
    auth?: boolean | "metrics";
    /**
     * Whether the route starts stack operations, and so answers 503 (with Retry-After) while the
     * engine is not ready. A function decides per request. Defaults to true for PUT, POST, PATCH
     * and DELETE, false for reads.
     */
    engine?: EngineNeed;
    params?: TSchema;
    querystring?: TSchema;
    body?: TSchema;
    responses: Record<number, RouteResponse>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handler(request: FastifyRequest<any>, reply: FastifyReply): Promise<unknown>;
}

/** Whether `route` needs a bearer token: every route but those declaring `auth: false`. */
export function requiresToken(route: Pick<RouteSpec, "auth">): boolean {
    return route.auth !== false;
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
            // Only the parts a route has: Fastify warns about keys set to undefined. The body is
            // validated without the bounds its parser already enforced (`validation-schema.ts`).
            schema: Object.fromEntries(
                Object.entries({
                    params: route.params,
                    querystring: route.querystring,
                    body: route.body && bodyValidationSchema(route.body),
                }).filter(([, s]) => s !== undefined),
            ),
            config: {
                auth: route.auth === "metrics" ? "metrics" : requiresToken(route),
                engine: engineNeed({ method: route.method as string | string[], engine: route.engine }),
            },
            handler: route.handler,
        });
    }
}
