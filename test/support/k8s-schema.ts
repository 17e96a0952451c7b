/**
 * Validates Kubernetes objects, as recorded by the mocked engine, against the Kubernetes OpenAPI
 * schemas shipped in `kubernetes-models`.
 */
import type { RecordedResource } from "./mocks";

/** Patch resources carry partial objects by design; they are validated by the server at apply. */
const PARTIAL_KINDS = /Patch$/;

/** Maps a Pulumi Kubernetes type token to a `kubernetes-models` module path and kind. */
export function modelPathFor(type: string): { path: string; kind: string } | undefined {
    const m = /^kubernetes:([^/]+)\/([^:]+):(.+)$/.exec(type);
    if (!m) return undefined;
    const [, group, version, kind] = m;
    if (PARTIAL_KINDS.test(kind) || kind.endsWith("List")) return undefined;
    const prefix = group === "core" ? version : `${group}/${version}`;
    return { path: `kubernetes-models/${prefix}`, kind };
}

/** Whether the resource is a plain Kubernetes object (not a Helm chart, provider or patch). */
export function isKubernetesObject(r: RecordedResource): boolean {
    return r.custom && modelPathFor(r.type) !== undefined;
}

/**
 * Validates one recorded object. Returns an empty string when valid, or the schema errors.
 * `apiVersion` and `kind` are filled from the type token, as the provider does.
 */
export async function schemaErrors(r: RecordedResource): Promise<string> {
    const target = modelPathFor(r.type);
    if (!target) throw new Error(`${r.type} is not a Kubernetes object type`);
    const mod = (await esmImport(target.path)) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = mod[target.kind];
    if (!Model) throw new Error(`kubernetes-models has no ${target.kind} at ${target.path}`);
    const group = r.type.split(":")[1];
    const [g, v] = group.split("/");
    const apiVersion = g === "core" ? v : `${g}/${v}`;
    const obj = { ...(stripUnknowns(r.inputs) as Record<string, unknown>), apiVersion, kind: target.kind };
    try {
        new Model(obj).validate();
        return "";
    } catch (e) {
        return `${r.type} ${r.name}: ${(e as Error).message}`;
    }
}

/** Validates every Kubernetes object in the list; returns the objects it checked. */
export async function assertAllSchemaValid(resources: RecordedResource[]): Promise<RecordedResource[]> {
    const objects = resources.filter(isKubernetesObject);
    const errors = (await Promise.all(objects.map(schemaErrors))).filter((e) => e !== "");
    if (errors.length > 0) throw new Error(`schema violations:\n${errors.join("\n")}`);
    return objects;
}

/**
 * `kubernetes-models` is ESM-only; a CommonJS build would turn `import()` into `require()`, so the
 * dynamic import is kept out of the compiler's reach.
 */
const esmImport = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

/**
 * The mock engine passes inputs through as-is; drop keys whose value is undefined so that the
 * schema sees the same object the provider would send.
 */
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function stripUnknowns(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(stripUnknowns);
    if (value && typeof value === "object") {
        // Secret inputs reach the mocks wrapped as { [sig]: secretSig, value }; the provider unwraps them.
        const wrapped = value as Record<string, unknown>;
        if (wrapped[SPECIAL_SIG_KEY] === SECRET_SIG) return stripUnknowns(wrapped.value);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = stripUnknowns(v);
        return out;
    }
    return value;
}
