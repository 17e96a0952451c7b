/**
 * The readiness gate: routes that start stack operations answer 503 with the reason and
 * `Retry-After` while the engine is not ready, and accept nothing. Which routes need the engine
 * is declared in the route table (`engine`), defaulting to every mutating method.
 */
import type { FastifyRequest } from "fastify";
import { type Readiness, NOT_READY_RETRY_SECONDS } from "../operations/engine-readiness";
import { HttpError } from "./errors";

/** Per request: whether it needs the engine (a DELETE of a stack never created does not). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EngineNeed = boolean | ((request: FastifyRequest<any>) => boolean);

declare module "fastify" {
    interface FastifyContextConfig {
        /** Set by the route table: whether the route starts stack operations. */
        engine?: EngineNeed;
    }
}

/** Methods that change something, and so need the engine unless the route says otherwise. */
const MUTATING = ["PUT", "POST", "PATCH", "DELETE"];

/** The route's declared need, or the default for its method(s). */
export function engineNeed(route: { method: string | string[]; engine?: EngineNeed }): EngineNeed {
    if (route.engine !== undefined) return route.engine;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    return methods.some((m) => MUTATING.includes(m.toUpperCase()));
}

/** A `preHandler` hook (after validation, so parameters are checked) enforcing the gate. */
export function engineGate(readiness: Readiness): (request: FastifyRequest) => Promise<void> {
    return async (request) => {
        const need = request.routeOptions.config?.engine;
        if (!(typeof need === "function" ? need(request) : need === true)) return;
        const report = await readiness.report();
        if (!report.ready) {
            throw new HttpError(503, `not accepting operations while the engine is not ready: ${report.message}`, {
                "retry-after": String(NOT_READY_RETRY_SECONDS),
            });
        }
    };
}
