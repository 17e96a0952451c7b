/**
 * Chart-values conformance checks (pure): key paths against a chart's default `values.yaml`, and
 * values against a chart's `values.schema.json` after Helm's merge with the defaults.
 */
import Ajv from "ajv";

type Json = unknown;

function isMap(v: Json): v is Record<string, Json> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether `path` (dot-joined) is at or under one of the free-form patterns (`*` matches one segment). */
export function isFreeForm(path: string[], patterns: readonly string[]): boolean {
    return patterns.some((pattern) => {
        const parts = pattern.split(".");
        if (parts.length > path.length) return false;
        return parts.every((p, i) => p === "*" || p === path[i]);
    });
}

/**
 * Every key path set in `values` that the chart's `defaults` do not have. Lists are leaves (their
 * items are not compared); paths under a free-form pattern are not descended into.
 */
export function unknownKeyPaths(
    values: Json,
    defaults: Json,
    freeForm: readonly string[],
    prefix: string[] = [],
): string[] {
    if (!isMap(values)) return [];
    const out: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        const path = [...prefix, key];
        if (isFreeForm(path, freeForm)) continue;
        if (!isMap(defaults) || !(key in defaults)) {
            out.push(path.join("."));
            continue;
        }
        out.push(...unknownKeyPaths(value, defaults[key], freeForm, path));
    }
    return out;
}

/** Helm's coalescing of user values over chart defaults: maps merge, anything else replaces. */
export function helmMerge(defaults: Json, values: Json): Json {
    if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
    const out: Record<string, Json> = { ...defaults };
    for (const [k, v] of Object.entries(values)) {
        if (v === null) delete out[k];
        else out[k] = helmMerge(defaults[k], v);
    }
    return out;
}

/** Schema violations of `values` merged over `defaults`, one line each. */
export function schemaViolations(values: Json, defaults: Json, schema: Record<string, unknown>): string[] {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    if (validate(helmMerge(defaults, values))) return [];
    return (validate.errors ?? []).map(
        (e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
    );
}

/**
 * Free-form maps per chart: places where the chart passes our object through (`toYaml`) rather
 * than reading named keys, so their keys cannot be checked against the defaults.
 */
export const FREE_FORM: Record<string, readonly string[]> = {
    cortex: [
        // The Cortex config file itself; Cortex validates it at start-up.
        "config",
        "runtimeconfigmap.runtime_config",
        "*.extraArgs",
        "*.env",
        "*.resources",
        "*.podAnnotations",
        "*.podLabels",
        "*.nodeSelector",
        "*.affinity",
        "*.tolerations",
        // Pod and container securityContexts passed through (plus the chart's own `enabled` switch).
        "*.securityContext",
        "*.containerSecurityContext",
        "*.sidecar.containerSecurityContext",
        "*.sidecar.resources",
        // The memcached subcharts' exporter resources (Bitnami `metrics.resources`, toYaml'd).
        "*.metrics.resources",
    ],
    grafana: [
        "grafana.ini",
        "resources",
        "env",
        "envValueFrom",
        "podAnnotations",
        "datasources",
        "dashboards",
        "dashboardProviders",
        "securityContext",
        "sidecar.resources",
        "podDisruptionBudget",
    ],
    minio: [
        "resources",
        "environment",
        "podAnnotations",
        // securityContexts are passed through with `omit ... "enabled" | toYaml`.
        "securityContext",
        "containerSecurityContext",
        "postJob.securityContext",
        "*.containerSecurityContext",
        "*.resources",
    ],
};
