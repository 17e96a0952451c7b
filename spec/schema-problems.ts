/**
 * Schema problems as people read them (pure): every TypeBox error of a value against a spec
 * schema, as a dotted path (`gateway.replicas`) and a message (`must be a whole number >= 1, got 0`),
 * one per path, in the schema's field order. The stack config loaders and the spec checks report
 * through here, so a bound is written once, in the schema, and read by every producer; the HTTP
 * layer validates the same schemas with Ajv.
 */
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { type ValueError, ValueErrorType } from "@sinclair/typebox/errors";

/** One problem: the dotted spec path and what is wrong with it. */
export interface SpecProblem {
    path: string;
    message: string;
}

/**
 * The schema keyword that holds a field's message when its value is refused (`must be a
 * DNS-1123 label`); without it the message is derived from the schema. An `x-` keyword, so
 * JSON Schema tools and OpenAPI readers take it as an annotation.
 */
export const PROBLEM_KEYWORD = "x-problem";

/**
 * The schema keyword that marks a field whose value may be a secret (a pasted password, a YAML
 * text with tokens): its problems never quote the value.
 */
export const NEVER_ECHO_KEYWORD = "x-never-echo";

/** What kind of problem: unknown fields and missing ones are listed first by the config loaders. */
export type SchemaProblemKind = "unknown" | "required" | "value";

/** A {@link SpecProblem} with its kind. */
export interface SchemaProblem extends SpecProblem {
    kind: SchemaProblemKind;
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Compiles once per schema; the compiled check is what runs per request. */
function checker(schema: TSchema): TypeCheck<TSchema> {
    let check = compiled.get(schema);
    if (check === undefined) {
        check = TypeCompiler.Compile(schema);
        compiled.set(schema, check);
    }
    return check;
}

/** Every problem of `value` against `schema`, one per path, in the schema's field order. */
export function schemaProblems(schema: TSchema, value: unknown): SchemaProblem[] {
    const check = checker(schema);
    if (check.Check(value)) return [];
    const seen = new Set<string>();
    const out: SchemaProblem[] = [];
    for (const error of check.Errors(value)) {
        const path = dotted(error.path);
        if (seen.has(path)) continue;
        seen.add(path);
        out.push({ path, ...describe(error) });
    }
    return sortBySchemaOrder(schema, out);
}

/** `/gateway/externalHostnames/0` → `gateway.externalHostnames[0]`. */
export function dotted(pointer: string): string {
    return pointer
        .split("/")
        .slice(1)
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === "" ? part : `${path}.${part}`), "");
}

function describe(error: ValueError): { kind: SchemaProblemKind; message: string } {
    const schema = error.schema as TSchema & Record<string, unknown>;
    const got = schema[NEVER_ECHO_KEYWORD] === true ? "value not shown" : `got ${JSON.stringify(error.value)}`;
    switch (error.type) {
        case ValueErrorType.ObjectAdditionalProperties: {
            const known = Object.keys((schema.properties as object | undefined) ?? {});
            return { kind: "unknown", message: `is not a known setting (known: ${known.join(", ")})` };
        }
        case ValueErrorType.ObjectRequiredProperty:
            return { kind: "required", message: "is required" };
        default: {
            const given = schema[PROBLEM_KEYWORD];
            if (typeof given === "string") return { kind: "value", message: `${given}, ${got}` };
            return { kind: "value", message: `${derived(schema, error.type)}, ${got}` };
        }
    }
}

/** A message from the schema itself, for fields without {@link PROBLEM_KEYWORD}: the bound it broke, if any. */
function derived(schema: Record<string, unknown>, type: ValueErrorType): string {
    const literals = Array.isArray(schema.anyOf) ? schema.anyOf.map((s: { const?: unknown }) => s.const) : [];
    if (literals.length > 0 && literals.every((l) => typeof l === "string")) {
        return `must be one of ${literals.join(", ")}`;
    }
    const bound = BOUNDS.get(type);
    const range = bound === undefined ? "" : ` ${bound[0]} ${String(schema[bound[1]])}`;
    switch (schema.type) {
        case "integer":
            return `must be a whole number${range}`;
        case "number":
            return `must be a number${range}`;
        case "boolean":
            return "must be true or false";
        case "string":
            return typeof schema.maxLength === "number"
                ? `must be a string of at most ${schema.maxLength} characters`
                : "must be a string";
        case "array":
            return typeof schema.maxItems === "number"
                ? `must be a list of at most ${schema.maxItems} items`
                : "must be a list";
        case "object":
            return "must be an object";
        default:
            return "is not valid";
    }
}

/** The numeric bounds, by the error that breaks them: the operator and the schema keyword. */
const BOUNDS = new Map<ValueErrorType, [string, string]>([
    [ValueErrorType.IntegerMinimum, [">=", "minimum"]],
    [ValueErrorType.IntegerExclusiveMinimum, [">", "exclusiveMinimum"]],
    [ValueErrorType.IntegerMaximum, ["<=", "maximum"]],
    [ValueErrorType.NumberMinimum, [">=", "minimum"]],
    [ValueErrorType.NumberExclusiveMinimum, [">", "exclusiveMinimum"]],
    [ValueErrorType.NumberMaximum, ["<=", "maximum"]],
]);

/**
 * Orders problems as the schema orders its fields (stable for paths the schema does not reach,
 * such as a field inside a YAML text), so every producer lists one spec's problems alike.
 */
export function sortBySchemaOrder<T extends SpecProblem>(schema: TSchema, problems: readonly T[]): T[] {
    const rank = (path: string): number[] => {
        const out: number[] = [];
        let node: TSchema | undefined = schema;
        for (const part of path.split(/\.|\[/)) {
            const key = part.replace(/\]$/, "");
            const properties = node?.properties as Record<string, TSchema> | undefined;
            if (/^\d+$/.test(key) && node?.items !== undefined) {
                out.push(Number(key));
                node = node.items as TSchema;
            } else if (properties !== undefined && Object.hasOwn(properties, key)) {
                out.push(Object.keys(properties).indexOf(key));
                node = properties[key];
            } else {
                // A field the schema does not know comes after the ones it does, at its level.
                out.push(Number.MAX_SAFE_INTEGER);
                break;
            }
        }
        return out;
    };
    const ranked = problems.map((p, i) => ({ p, i, r: rank(p.path) }));
    ranked.sort((a, b) => {
        for (let k = 0; k < Math.min(a.r.length, b.r.length); k++) if (a.r[k] !== b.r[k]) return a.r[k] - b.r[k];
        return a.i - b.i;
    });
    return ranked.map((x) => x.p);
}
