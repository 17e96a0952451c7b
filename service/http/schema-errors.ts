/**
 * The 400 of a request its route's schema refuses: Fastify's own wording (`body/gateway must …`,
 * joined with `, `), with two changes. An unknown field is named (`body must NOT have additional
 * properties: seedApi`), as every other problem names its field. And the message is bounded: Ajv
 * runs with `allErrors`, so a body of a million bad items would otherwise answer with a million
 * problems (the body parser's `INPUT_LIMITS.maxEntries`, `bounded-input.ts`, keeps Ajv's own walk short).
 */
import type { FastifySchemaValidationError } from "fastify/types/schema";

/** Problems listed at most; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 20;

/** Longest field name quoted (names come from the client). */
const MAX_NAME = 60;

function problem(error: FastifySchemaValidationError, dataVar: string): string {
    const text = `${dataVar}${error.instancePath} ${error.message ?? "is invalid"}`;
    const unknown = (error.params as { additionalProperty?: unknown }).additionalProperty;
    if (error.keyword !== "additionalProperties" || typeof unknown !== "string") return text;
    return `${text}: ${unknown.length > MAX_NAME ? `${unknown.slice(0, MAX_NAME)}…` : unknown}`;
}

/** The message of a schema refusal: at most {@link MAX_LISTED_PROBLEMS} problems, then how many more. */
export function schemaErrorMessage(errors: FastifySchemaValidationError[], dataVar: string): string {
    const listed = errors.slice(0, MAX_LISTED_PROBLEMS).map((e) => problem(e, dataVar));
    const more = errors.length - listed.length;
    return listed.join(", ") + (more > 0 ? ` (and ${more} more)` : "");
}

/** Fastify's `schemaErrorFormatter`. */
export const schemaErrorFormatter = (errors: FastifySchemaValidationError[], dataVar: string): Error =>
    new Error(schemaErrorMessage(errors, dataVar));
