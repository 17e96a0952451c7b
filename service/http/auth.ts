/**
 * Bearer-token authentication, decided per matched route. Deny by default: every route, the
 * not-found handler included, needs the API token unless the route table declared it `auth: false`
 * (see `routes/route-table.ts`). A route declared `auth: "metrics"` (`/metrics`, which names every
 * cluster) also takes the metrics token, a scrape-only credential that opens nothing else. The hook runs after routing, on the route that will actually
 * answer, so no spelling of a path (`/%761/clusters`, `//v1`, absolute-form targets) can reach a
 * handler the router matched without the check the route declared.
 */
import { hash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { HttpError } from "./errors";

declare module "fastify" {
    interface FastifyContextConfig {
        /** Set by the route table: false only on routes declared public, `"metrics"` on `/metrics`. */
        auth?: boolean | "metrics";
    }
}

/** SHA-256 in one call (half the time of a `Hash` object, which every request would build). */
const digest = (text: string): Buffer => hash("sha256", text, "buffer");

/**
 * Returns a check for `Authorization` header values that accepts any of `tokens`. Both sides are
 * hashed first so each compare is constant-time regardless of length (timingSafeEqual needs equal
 * lengths), and every token is compared, so the time does not say which one matched.
 */
export function bearerCheck(...tokens: string[]): (header: string | undefined) => void {
    const expected = tokens.map(digest);
    return (header) => {
        const match = /^Bearer ([^\s]+)$/i.exec(header ?? "");
        const given = digest(match?.[1] ?? "");
        // Compare even when the header is malformed, so both paths take the same time.
        let equal = false;
        for (const e of expected) equal = timingSafeEqual(given, e) || equal;
        if (!match || !equal) {
            throw new HttpError(401, "missing or invalid bearer token", { "www-authenticate": 'Bearer realm="mla"' });
        }
    };
}

/**
 * An `onRequest` hook enforcing the API token on every matched route whose config does not say
 * `auth: false`, and the API or the metrics token on `auth: "metrics"`. Routes registered without
 * the route table, and unmatched requests, need the API token.
 */
export function authHook(token: string, metricsToken?: string): (request: FastifyRequest) => Promise<void> {
    const api = bearerCheck(token);
    const metrics = metricsToken === undefined ? api : bearerCheck(token, metricsToken);
    return async (request) => {
        const auth = request.routeOptions.config?.auth;
        if (auth === false) return;
        (auth === "metrics" ? metrics : api)(request.headers.authorization);
    };
}
