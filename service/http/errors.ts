/**
 * The service's error vocabulary and the one place errors become HTTP statuses.
 */

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
