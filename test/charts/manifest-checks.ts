/**
 * Pure checks over rendered manifests, shared by the chart suite: lookups, container listing,
 * requests, schema validation through `kubernetes-models`, and the inline-secret scanner.
 */
import { schemaErrors } from "../support/k8s-schema";
import type { Manifest } from "./helm-render";
import { podTemplateOf } from "./pss-restricted";

/** The object of `kind` named `name`; throws naming what exists when it is missing. */
export function find(objects: Manifest[], kind: string, name: string): Manifest {
    const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
    if (!found) {
        const have = objects.filter((o) => o.kind === kind).map((o) => o.metadata?.name);
        throw new Error(`no ${kind} ${name}; rendered ${kind}s: ${have.join(", ") || "none"}`);
    }
    return found;
}

/** Every workload with a pod template, with `Kind/name` for messages. */
export function workloads(objects: Manifest[]): { id: string; obj: Manifest; metadata: Manifest; spec: Manifest }[] {
    const out = [];
    for (const obj of objects) {
        const t = podTemplateOf(obj);
        if (t) out.push({ id: `${obj.kind}/${obj.metadata.name}`, obj, ...t });
    }
    return out;
}

/** Every container (init, regular, ephemeral) of a pod spec. */
export function containersOf(spec: Manifest): Manifest[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** A container by name in a pod spec; throws naming the containers when it is missing. */
export function container(spec: Manifest, name: string): Manifest {
    const c = containersOf(spec).find((x) => x.name === name);
    if (!c)
        throw new Error(
            `no container ${name}; have ${containersOf(spec)
                .map((x) => x.name)
                .join(", ")}`,
        );
    return c;
}

/** `<workload> <container>` for every container lacking a CPU or a memory request. */
export function missingRequests(objects: Manifest[]): string[] {
    const out: string[] = [];
    for (const w of workloads(objects)) {
        for (const c of containersOf(w.spec)) {
            const r = c.resources?.requests ?? {};
            if (r.cpu === undefined || r.cpu === "" || r.memory === undefined || r.memory === "") {
                out.push(`${w.id} ${c.name}: requests ${JSON.stringify(c.resources?.requests ?? null)}`);
            }
        }
    }
    return out;
}

/** The Pulumi type token of a manifest (`kubernetes:apps/v1:Deployment`), as the schema helper expects. */
function typeToken(m: Manifest): string {
    const [group, version] = String(m.apiVersion).includes("/")
        ? String(m.apiVersion).split("/")
        : ["core", m.apiVersion];
    return `kubernetes:${group}/${version}:${m.kind}`;
}

/** Schema errors of every manifest (empty when all are valid), against the `kubernetes-models` schemas. */
export async function manifestSchemaErrors(objects: Manifest[]): Promise<string[]> {
    const errors = await Promise.all(
        objects.map((m) => {
            const { apiVersion: _a, kind: _k, ...rest } = m;
            return schemaErrors({
                type: typeToken(m),
                name: `${m.kind}/${m.metadata?.name}`,
                inputs: rest,
                custom: true,
            });
        }),
    );
    return errors.filter((e) => e !== "");
}

/** Names of settings that carry a secret (the last word of the name); their values must be references. */
const SECRET_NAME =
    /(^|[_.-])(password|passwd|secret|secret[_-]?key|secret[_-]access[_-]key|access[_-]key([_-]id)?|client[_-]secret|api[_-]?key|token|credentials?)$/i;
/** A reference instead of a value: `${VAR}`, `$__env{VAR}`, `$__file{...}`, or a shell read of a mounted file. */
const REFERENCE = /^(\$(\{[A-Za-z_][A-Za-z0-9_]*\}|__(env|file|vault)\{[^}]+\})|"?\$\(cat \/[^)\s]+\)"?\s*;?)$/;
/** Keys naming where a secret is, not the secret (Secret names, key names, file paths, toggles). */
const POINTER_KEY = /(existing|secret_?name|_file$|_path$|header|enabled|userkey$|passwordkey$)/i;

function scanValue(where: string, key: string, value: unknown, out: string[]): void {
    if (value === null || value === undefined) return;
    if (typeof value === "object") {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) scanValue(`${where}.${k}`, k, v, out);
        return;
    }
    if (typeof value !== "string" || value === "" || !SECRET_NAME.test(key) || POINTER_KEY.test(key)) return;
    if (!REFERENCE.test(value.trim())) out.push(`${where}: ${key} = ${JSON.stringify(value)}`);
}

/** `key = value` and `key: value` lines of a config text (INI or YAML), for the secret scan. */
function configPairs(text: string): [string, string][] {
    const out: [string, string][] = [];
    for (const line of text.split("\n")) {
        const m = /^\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(.*?)\s*$/.exec(line);
        if (m && m[2] !== "" && m[2] !== "|" && m[2] !== "|-") out.push([m[1], m[2].replace(/^["']|["']$/g, "")]);
    }
    return out;
}

/**
 * Every place a secret value appears inline: an env var whose name says secret with a literal
 * `value`, a secret-named argument with a literal, or a secret-named key with a literal in a
 * ConfigMap's data (or in a chart-made Secret holding a config file). References (`${VAR}`,
 * `$__env{VAR}`), Secret names and key names are fine.
 */
export function inlineSecrets(objects: Manifest[]): string[] {
    const out: string[] = [];
    for (const w of workloads(objects)) {
        for (const c of containersOf(w.spec)) {
            for (const e of c.env ?? []) {
                if (
                    e.value !== undefined &&
                    SECRET_NAME.test(e.name) &&
                    !POINTER_KEY.test(e.name) &&
                    !REFERENCE.test(String(e.value))
                ) {
                    out.push(`${w.id} ${c.name} env ${e.name} has a literal value`);
                }
            }
            for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) {
                const m = /^-{1,2}([^=]+)=(.+)$/.exec(String(arg));
                if (m && SECRET_NAME.test(m[1]) && !POINTER_KEY.test(m[1]) && !REFERENCE.test(m[2]))
                    out.push(`${w.id} ${c.name} arg ${m[1]}`);
            }
        }
    }
    for (const o of objects) {
        const texts: [string, string][] = [];
        if (o.kind === "ConfigMap") for (const [k, v] of Object.entries(o.data ?? {})) texts.push([k, String(v)]);
        // Config files that charts ship as Secrets are still config: only references belong there.
        if (o.kind === "Secret") {
            for (const [k, v] of Object.entries(o.data ?? {})) {
                if (/\.(ya?ml|ini|conf)$/.test(k)) texts.push([k, Buffer.from(String(v), "base64").toString("utf8")]);
            }
        }
        for (const [file, text] of texts) {
            for (const [key, value] of configPairs(text))
                scanValue(`${o.kind}/${o.metadata.name} ${file}`, key, value, out);
        }
    }
    return out;
}

/** `[section] key = value` of an INI text (Grafana's `grafana.ini`). */
export function parseIni(text: string): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    let section = "";
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
        const header = /^\[(.+)\]$/.exec(line);
        if (header) {
            section = header[1];
            out[section] ??= {};
            continue;
        }
        const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
        if (kv) (out[section] ??= {})[kv[1]] = kv[2];
    }
    return out;
}
