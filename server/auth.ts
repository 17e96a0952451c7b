/**
 * Bearer-token authentication for the `/v1` routes.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { HttpError } from "./errors";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Returns a check for `Authorization` header values. Both sides are hashed first so the compare
 * is constant-time regardless of length (timingSafeEqual needs equal lengths).
 */
export function bearerCheck(token: string): (header: string | undefined) => void {
    const expected = digest(token);
    return (header) => {
        const match = /^Bearer ([^\s]+)$/i.exec(header ?? "");
        const given = digest(match?.[1] ?? "");
        if (!match || !timingSafeEqual(given, expected)) {
            throw new HttpError(401, "missing or invalid bearer token", { "www-authenticate": 'Bearer realm="mla"' });
        }
    };
}
