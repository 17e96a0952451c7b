/**
 * The schema a route's JSON body is validated with: the documented one, less the string bounds
 * the body parser has already enforced more strictly. `/openapi.json` keeps the documented
 * schema whole.
 *
 * Before validation, `app.ts`'s JSON parser refuses any string longer than
 * {@link INPUT_LIMITS.maxStringLength} UTF-16 code units, naming its field. Ajv's `maxLength`
 * counts code points, never more than code units, so a `maxLength` of at least that limit can no
 * longer fail. Ajv would still walk each such string to count its code points: the two
 * kubeconfigs of every cluster request (with their `minLength`, gone too: `cluster-body.ts`),
 * 5.4 % of the event loop in a profile of a `bench:service` burst, 2.5 % with only this gone.
 *
 * Only bounds on values inside an object body go: any other body may be a string no JSON parser
 * read (`text/plain`), and the parser bounds values, not keys (`propertyNames` keeps its own).
 */
import type { TSchema } from "@sinclair/typebox";
import { INPUT_LIMITS } from "../input/bounded-input";

/** Keywords whose values are data, or schemas of keys: never rewritten. */
const KEPT_AS_IS = new Set(["default", "examples", "const", "enum", "propertyNames"]);

/** Whether the parser's bound makes `schema`'s own `maxLength` unreachable. */
const parserBoundsIt = (schema: Record<string | symbol, unknown>): boolean =>
    typeof schema.maxLength === "number" && schema.maxLength >= INPUT_LIMITS.maxStringLength;

function strip(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => strip(v));
    if (typeof value !== "object" || value === null) return value;
    const schema = value as Record<string | symbol, unknown>;
    const copy: Record<string | symbol, unknown> = {};
    for (const key of Object.keys(schema)) {
        if (key === "maxLength" && parserBoundsIt(schema)) continue;
        copy[key] = KEPT_AS_IS.has(key) ? schema[key] : strip(schema[key]);
    }
    // TypeBox's own markers (symbol keys) come along; Ajv ignores them.
    for (const key of Object.getOwnPropertySymbols(schema)) copy[key] = schema[key];
    return copy;
}

/**
 * `body` for validation: for an object body, a copy without the `maxLength` bounds the body parser
 * made unreachable; any other body as it is.
 */
export function bodyValidationSchema(body: TSchema): TSchema {
    return body.type === "object" ? (strip(body) as TSchema) : body;
}
