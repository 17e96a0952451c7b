/**
 * Reading config values against a spec schema (pure). Pulumi's CLI stores scalar config as strings (`pulumi config set mla:suspended true` gives
 * "true"). This reads such strings as the schema's numbers and booleans, exactly: "3" is 3, "0.5"
 * is 0.5, "true" is true; "2.5" stays a string where a whole number is expected, so the schema
 * refuses it instead of rounding it. Pure; the input is not modified.
 */
import type { TSchema } from "@sinclair/typebox";

const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** `value` with its CLI strings read as the numbers and booleans `schema` expects. */
export function fromCliStrings(schema: TSchema, value: unknown): unknown {
    if (typeof value === "string") {
        if (schema.type === "integer" && INTEGER.test(value)) return Number(value);
        if (schema.type === "number" && NUMBER.test(value)) return Number(value);
        if (schema.type === "boolean" && (value === "true" || value === "false")) return value === "true";
        return value;
    }
    if (Array.isArray(value)) {
        const items = schema.items as TSchema | undefined;
        return items === undefined ? value : value.map((v) => fromCliStrings(items, v));
    }
    if (typeof value === "object" && value !== null) {
        const properties = schema.properties as Record<string, TSchema> | undefined;
        if (properties === undefined) return value;
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [
                k,
                Object.hasOwn(properties, k) ? fromCliStrings(properties[k], v) : v,
            ]),
        );
    }
    return value;
}

/**
 * `value` without the values at `paths` (`gateway.replicas`, `tenant.metricRuleGroups[0]`): a value
 * the schema refused reads as absent, so its default applies and no later check reports it twice.
 * An array element becomes undefined, so the other elements keep their indexes.
 */
export function withoutPaths<T>(value: T, paths: readonly string[]): T {
    const copy = structuredClone(value);
    for (const path of paths) {
        const parts = path.split(/\.|\[/).map((p) => p.replace(/\]$/, ""));
        let node: unknown = copy;
        for (const part of parts.slice(0, -1)) {
            if (typeof node !== "object" || node === null) break;
            node = (node as Record<string, unknown>)[part];
        }
        if (typeof node !== "object" || node === null) continue;
        const last = parts[parts.length - 1];
        if (Array.isArray(node)) node.splice(Number(last), 1, undefined);
        else delete (node as Record<string, unknown>)[last];
    }
    return copy;
}
