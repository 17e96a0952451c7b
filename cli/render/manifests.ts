/**
 * Turns what a program registered into manifests: one YAML document per Kubernetes object, in
 * registration order (the order the program declares them, which respects every dependency it
 * names), grouped by the cluster each object is applied to. A `helm.v4.Chart` is expanded with
 * the real `helm template` when a Helm binary and the chart's folder are at hand; otherwise its
 * name, version, repository and exact values are written, which is what the provider renders.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { placeholder, type RegisteredResource } from "./recording-engine";

/** The Pulumi type of a Helm v4 chart. */
export const HELM_CHART_TYPE = "kubernetes:helm.sh/v4:Chart";

/** One rendered file. */
export interface ManifestFile {
    /** `<target>/<NNN>-<kind>-<name>.yaml`, `target` being the provider's name (`seed`, `user`). */
    path: string;
    content: string;
}

/** Where charts are rendered from, when they can be. */
export interface HelmSource {
    /** The `helm` binary. */
    helm: string;
    /** A folder with one sub-folder per chart name (the pinned reference charts). */
    chartsDir: string;
}

interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string; namespace?: string };
}

/** The Pulumi SDK's marker for a serialized secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

function isKubeObject(r: RegisteredResource): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string";
}

function fileSlug(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
}

/** Drops the SDK's bookkeeping keys and empty values, so a manifest reads like `kubectl get -o yaml`. */
function cleanObject(inputs: Record<string, unknown>): Record<string, unknown> {
    const clean = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(clean);
        if (v === null || typeof v !== "object") return v;
        // A secret travels wrapped in the SDK's signature object; the manifest shows its value,
        // which here is always a placeholder or the program's own non-secret text.
        if ((v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE) return clean((v as { value: unknown }).value);
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
            if (x === undefined || k.startsWith("__")) continue;
            out[k] = clean(x);
        }
        return out;
    };
    return clean(inputs) as Record<string, unknown>;
}

/** Renders a chart with `helm template`; the objects in Helm's output order. */
export function helmTemplate(chart: RegisteredResource, source: HelmSource): KubeObject[] {
    const i = chart.inputs as { chart: string; name: string; namespace: string; values?: unknown };
    const dir = join(source.chartsDir, i.chart);
    if (!existsSync(join(dir, "Chart.yaml"))) throw new Error(`chart ${i.chart} not found in ${source.chartsDir}`);
    const tmp = mkdtempSync(join(tmpdir(), "mla-render-"));
    try {
        const valuesFile = join(tmp, "values.yaml");
        writeFileSync(valuesFile, stringify(i.values ?? {}), { mode: 0o600 });
        const run = spawnSync(
            source.helm,
            ["template", i.name, dir, "--namespace", i.namespace, "--values", valuesFile, "--kube-version", "1.34.0"],
            { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { PATH: process.env.PATH ?? "", HOME: tmp } },
        );
        if (run.status !== 0) throw new Error(`helm template ${i.chart} failed: ${run.stderr || run.error?.message}`);
        return parseAllDocuments(run.stdout)
            .map((d) => d.toJS() as KubeObject | null)
            .filter((o): o is KubeObject => o !== null && typeof o === "object" && typeof o.kind === "string");
    } finally {
        rmSync(tmp, { recursive: true, force: true });
    }
}

/** Every Kubernetes object and chart the program registered, as files. */
export function manifestFiles(resources: RegisteredResource[], helm?: HelmSource): ManifestFile[] {
    const files: ManifestFile[] = [];
    const counters = new Map<string, number>();
    const add = (target: string, slug: string, doc: unknown) => {
        const n = (counters.get(target) ?? 0) + 1;
        counters.set(target, n);
        files.push({
            path: `${target}/${String(n).padStart(3, "0")}-${slug}.yaml`,
            content: stringify(doc, { lineWidth: 0 }),
        });
    };
    for (const r of resources) {
        const target = r.provider ?? "default";
        if (r.type === HELM_CHART_TYPE) {
            const i = r.inputs as { chart: string; version: string; name: string; namespace: string };
            if (helm) {
                for (const o of helmTemplate(r, helm)) {
                    add(target, fileSlug(`${i.chart}-${o.kind}-${o.metadata?.name ?? "unnamed"}`), o);
                }
            } else {
                add(target, fileSlug(`chart-${i.chart}`), { helmChart: cleanObject(r.inputs) });
            }
        } else if (isKubeObject(r)) {
            const o = cleanObject(r.inputs) as unknown as KubeObject;
            // Pulumi auto-names objects without a name at apply time (name plus a random suffix).
            o.metadata = { ...o.metadata, name: o.metadata?.name ?? placeholder("autoname", r.name) };
            add(target, fileSlug(`${o.kind}-${o.metadata?.name ?? r.name}`), o);
        }
    }
    return files;
}
