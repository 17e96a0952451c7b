/**
 * `mla render seed` and `mla render cluster`, run as the real CLI: every object they write is
 * valid against the Kubernetes schemas, the pods they define pass Pod Security "restricted" where
 * the design says so, with the real Helm the seed's charts expand to valid objects too, and the
 * written files are held as golden files (`UPDATE_GOLDEN=1` rewrites them; review the diff).
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { chartsDir, chartsUnavailable, type Manifest } from "../charts/helm-render";
import { manifestSchemaErrors } from "../charts/manifest-checks";
import { podTemplateOf, restrictedViolations } from "../charts/pss-restricted";
import { extractHelm } from "../../scripts/extract-helm";

const run = promisify(execFile);
const MLA = join(__dirname, "../../bin/mla.js");
const GOLDEN = join(__dirname, "../golden/manifests");

/** Every file below `dir`, relative, sorted. */
function filesOf(dir: string, prefix = ""): string[] {
    return readdirSync(join(dir, prefix), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? filesOf(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
        .sort();
}

/** Runs `mla render <what> --out DIR ...args` with no charts (unless given); the output folder. */
async function render(what: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    const out = mkdtempSync(join(tmpdir(), `mla-render-${what}-`));
    await run(process.execPath, [MLA, "render", what, "--out", out, ...args], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, MLA_CHARTS_DIR: "", ...env },
        maxBuffer: 64 * 1024 * 1024,
    });
    return out;
}

function objectsOf(dir: string): Manifest[] {
    return filesOf(dir)
        .map((f) => parse(readFileSync(join(dir, f), "utf8")) as Manifest)
        .filter((o) => typeof o.kind === "string");
}

/** Compares a rendered folder with its golden folder, file by file. */
function expectGolden(dir: string, name: string): void {
    const golden = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN === "1") {
        rmSync(golden, { recursive: true, force: true });
        for (const f of filesOf(dir)) {
            mkdirSync(join(golden, f, ".."), { recursive: true });
            writeFileSync(join(golden, f), readFileSync(join(dir, f)));
        }
    }
    expect(filesOf(dir), `files of ${name}`).to.deep.equal(filesOf(golden));
    for (const f of filesOf(dir))
        expect(readFileSync(join(dir, f), "utf8"), f).to.equal(readFileSync(join(golden, f), "utf8"));
}

describe("mla render seed|cluster", function () {
    this.timeout(240_000);
    const dirs: Record<string, string> = {};

    before(async () => {
        const [seed, cluster] = await Promise.all([
            render("seed", []),
            render("cluster", ["--cluster-id", "c1", "--project", "shop"]),
        ]);
        Object.assign(dirs, { seed, cluster });
    });
    after(() => Object.values(dirs).forEach((d) => rmSync(d, { recursive: true, force: true })));

    it("writes the seed's objects in apply order, the namespace first and each chart as its pinned spec", () => {
        const files = filesOf(dirs.seed!);
        expect(files[0]).to.match(/^seed\/001-namespace-mla\.yaml$/);
        const charts = files.filter((f) => /-chart-/.test(f)).map((f) => f.replace(/^seed\/\d+-chart-/, ""));
        expect(charts.sort()).to.deep.equal(["cortex.yaml", "grafana.yaml", "loki.yaml", "minio.yaml"]);
        const cortex = parse(
            readFileSync(
                join(
                    dirs.seed!,
                    files.find((f) => f.endsWith("chart-cortex.yaml"))!,
                ),
                "utf8",
            ),
        );
        expect(cortex.helmChart).to.include({ chart: "cortex" });
        expect(cortex.helmChart.values.config.auth_enabled).to.equal(true);
    });

    it("writes the cluster's objects for both clusters: the seed side and the user cluster", () => {
        const files = filesOf(dirs.cluster!);
        expect(files[0]).to.equal("seed/001-namespace-cluster-c1.yaml");
        expect(files.filter((f) => f.startsWith("user/"))).to.include("user/001-namespace-mla-system.yaml");
        const kinds = objectsOf(dirs.cluster!).map((o) => o.kind);
        expect(kinds).to.include.members([
            "Deployment",
            "NetworkPolicy",
            "Secret",
            "ConfigMap",
            "DaemonSet",
            "ClusterRole",
        ]);
    });

    it("writes no generated secret: keys, certificates and passwords are placeholders", () => {
        for (const dir of [dirs.seed!, dirs.cluster!]) {
            const text = filesOf(dir)
                .map((f) => readFileSync(join(dir, f), "utf8"))
                .join("\n");
            const keyLines = [...text.matchAll(/BEGIN [A-Z ]*PRIVATE KEY-----\n\s*(.*)/g)].map((m) => m[1]);
            expect(keyLines.length).to.be.greaterThan(dir === dirs.cluster ? 0 : -1);
            for (const line of keyLines) expect(line).to.match(/^<generated:[\w-]+>$/);
            expect(text).not.to.include("4dabf18193072939515e22adb298388d");
        }
    });

    it("writes only objects that are valid against the Kubernetes schemas", async () => {
        for (const dir of [dirs.seed!, dirs.cluster!]) {
            const objects = objectsOf(dir);
            expect(objects.length).to.be.greaterThan(10);
            expect(await manifestSchemaErrors(objects)).to.deep.equal([]);
        }
    });

    it("defines seed-side pods (gateway, overrides merger) that pass Pod Security restricted", () => {
        const pods = [
            ...objectsOf(dirs.seed!),
            ...objectsOf(dirs.cluster!).filter((o) => o.metadata?.namespace !== "mla-host-agents"),
        ]
            .map((o) => ({ o, t: podTemplateOf(o) }))
            .filter((p) => p.t !== undefined && p.o.metadata?.namespace !== "mla-host-agents");
        expect(pods.length).to.be.greaterThan(1);
        for (const { o, t } of pods)
            expect(restrictedViolations(t!.spec, t!.metadata), `${o.kind}/${o.metadata.name}`).to.deep.equal([]);
    });

    it("matches the golden manifests", () => {
        expectGolden(dirs.seed!, "seed");
        expectGolden(dirs.cluster!, "cluster");
    });

    it("expands the charts with the real helm template into schema-valid objects", async function () {
        const charts = chartsDir();
        const why = chartsUnavailable(charts);
        if (why !== undefined) {
            console.log(`      (skipped: ${why})`);
            this.skip();
        }
        const { helm } = extractHelm();
        const dir = await render("seed", ["--charts-dir", charts, "--helm", helm]);
        dirs.seedCharts = dir;
        const objects = objectsOf(dir);
        const workloads = objects
            .filter((o) => o.kind === "StatefulSet" || o.kind === "Deployment")
            .map((o) => o.metadata.name);
        expect(workloads).to.include.members(["cortex-ingester", "cortex-distributor", "loki-distributor", "grafana"]);
        expect(await manifestSchemaErrors(objects)).to.deep.equal([]);
        expect(existsSync(join(dir, "seed", "001-namespace-mla.yaml"))).to.equal(true);
    });
});
