/**
 * Bearer-token authentication, decided per matched route. Deny by default: every route, the
 * not-found handler included, needs the token unless the route table declared it `auth: false`
 * (see `routes/route-table.ts`). The hook runs after routing, on the route that will actually
 * answer, so no spelling of a path (`/%761/clusters`, `//v1`, absolute-form targets) can reach a
 * handler the router matched without the check the route declared.
 */
import { hash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { HttpError } from "./errors";

declare module "fastify" {
    interface FastifyContextConfig {
        /** Set by the route table: false only on routes declared public. */
        auth?: boolean;
    }
}

/** SHA-256 in one call (half the time of a `Hash` object, which every request would build). */
const digest = (text: string): Buffer => hash("sha256", text, "buffer");

/**
 * Returns a check for `Authorization` header values. Both sides are hashed first so the compare
 * is constant-time regardless of length (timingSafeEqual needs equal lengths).
 */
export function bearerCheck(token: string): (header: string | undefined) => void {
    const expected = digest(token);
    return (header) => {
        const match = /^Bearer ([^\s]+)$/i.exec(header ?? "");
        const given = digest(match?.[1] ?? "");
        // Compare even when the header is malformed, so both paths take the same time.
        const equal = timingSafeEqual(given, expected);
        if (!match || !equal) {
            throw new HttpError(401, "missing or invalid bearer token", { "www-authenticate": 'Bearer realm="mla"' });
        }
    };
}

/**
 * An `onRequest` hook enforcing the token on every matched route whose config does not say
 * `auth: false`. Routes registered without the route table, and unmatched requests, need it too.
 */
export function authHook(token: string): (request: FastifyRequest) => Promise<void> {
    const check = bearerCheck(token);
    return async (request) => {
        if (request.routeOptions.config?.auth === false) return;
        check(request.headers.authorization);
    };
}
