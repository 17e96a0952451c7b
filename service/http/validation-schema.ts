/**
 * The schema a route's JSON body is validated with: the documented one, less the string bounds
 * the body parser has already enforced more strictly. `/openapi.json` keeps the documented
 * schema whole.
 *
 * Before validation, `app.ts`'s JSON parser refuses any string longer than
 * {@link INPUT_LIMITS.maxStringLength} UTF-16 code units, naming its field. Ajv's `maxLength`
 * counts code points, never more than code units, so a `maxLength` of at least that limit can no
 * longer fail. Ajv would still walk each such string to count its code points: the two
 * kubeconfigs of every cluster request, about 5 % of the event loop in `bench:service`.
 *
 * Only bounds below the root go: a root string would be a body no JSON parser read (`text/plain`).
 */
import type { TSchema } from "@sinclair/typebox";
import { INPUT_LIMITS } from "../input/bounded-input";

/** Keywords whose values are data, not schemas: never rewritten. */
const DATA_KEYWORDS = new Set(["default", "examples", "const", "enum"]);

/** Whether the parser's bound makes `schema`'s own `maxLength` unreachable. */
const parserBoundsIt = (schema: Record<string | symbol, unknown>): boolean =>
    typeof schema.maxLength === "number" && schema.maxLength >= INPUT_LIMITS.maxStringLength;

function strip(value: unknown, root: boolean): unknown {
    if (Array.isArray(value)) return value.map((v) => strip(v, false));
    if (typeof value !== "object" || value === null) return value;
    const schema = value as Record<string | symbol, unknown>;
    const copy: Record<string | symbol, unknown> = {};
    for (const key of Object.keys(schema)) {
        if (key === "maxLength" && !root && parserBoundsIt(schema)) continue;
        copy[key] = DATA_KEYWORDS.has(key) ? schema[key] : strip(schema[key], false);
    }
    // TypeBox's own markers (symbol keys) come along; Ajv ignores them.
    for (const key of Object.getOwnPropertySymbols(schema)) copy[key] = schema[key];
    return copy;
}

/** `body` for validation: a copy without the `maxLength` bounds the body parser made unreachable. */
export function bodyValidationSchema(body: TSchema): TSchema {
    return strip(body, true) as TSchema;
}
