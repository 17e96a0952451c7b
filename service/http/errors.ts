/**
 * The service's error vocabulary and the one place errors become HTTP statuses.
 */
import { type DomainError, type DomainErrorKind } from "../operations/domain-errors";

/** An error whose message is safe to send to the client as is. */
export class HttpError extends Error {
    constructor(
        readonly statusCode: number,
        message: string,
        readonly headers: Record<string, string> = {},
    ) {
        super(message);
        this.name = "HttpError";
    }
}

/** The HTTP status of each domain error kind. */
const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
    invalid: 400,
    "not-found": 404,
    conflict: 409,
    busy: 429,
    unavailable: 503,
};

/** A domain error as an HTTP error: its status, and `Retry-After` when the core gave one. */
export function httpErrorFor(error: DomainError): HttpError {
    const headers: Record<string, string> =
        error.retryAfterSeconds === undefined ? {} : { "retry-after": String(error.retryAfterSeconds) };
    return new HttpError(STATUS_BY_KIND[error.kind], error.message, headers);
}

/** Status for an operation error code, so clients see the engine's failure class in HTTP terms. */
const STATUS_BY_CODE: Record<string, number> = {
    "stack-not-found": 404,
    "stack-exists": 409,
    "concurrent-update": 409,
    cancelled: 409,
    interrupted: 409,
    "invalid-spec": 400,
    "cli-missing": 503,
    unsupported: 501,
};

/**
 * Maps an operation error code (see `engine-errors.ts`) to an HTTP status: `StackNotFoundError`
 * is 404, `StackAlreadyExistsError` and `ConcurrentUpdateError` are 409, everything else 500.
 */
export function statusForCode(code: string): number {
    return STATUS_BY_CODE[code] ?? 500;
}

/**
 * An operation as the API shows it: its error, if any, with the HTTP status its class maps to. The
 * core records only the class and the message; every route that returns an operation goes through here.
 */
export function operationForHttp<T extends { error?: { code: string; message: string } }>(
    op: T,
): Omit<T, "error"> & { error?: { code: string; status: number; message: string } } {
    const { error, ...rest } = op;
    if (error === undefined) return rest;
    return { ...rest, error: { code: error.code, status: statusForCode(error.code), message: error.message } };
}
