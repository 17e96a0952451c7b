/**
 * The errors the service's core throws. They name what went wrong in the service's own terms;
 * only the HTTP layer (`service/http/errors.ts`) turns them into status codes.
 */

/** What kind of refusal an error is. */
export const DOMAIN_ERROR_KINDS = ["invalid", "not-found", "conflict", "busy", "unavailable"] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

/** A refusal whose message is safe to show to the caller as is. */
export class DomainError extends Error {
    constructor(
        readonly kind: DomainErrorKind,
        message: string,
        /** For `busy` and `unavailable`: when trying again makes sense. */
        readonly retryAfterSeconds?: number,
    ) {
        super(message);
        this.name = "DomainError";
    }
}
