/**
 * Every Kubernetes object and Helm values object comes from a pure builder (STYLE.md, item 26):
 * a builder file loads no @pulumi/* package at runtime (type imports only), so `mla render` and
 * the unit tests call it as a plain function. Each file is loaded alone in a fresh child process
 * and the modules it pulled in are listed.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");

/** Builders named by role (`*-objects.ts`, `*-values.ts`), and the ones named after their object. */
const NAMED_BUILDERS = [
    "components/agents/agent-namespaces.ts",
    "components/common/pod-security.ts",
    "components/gateway/deployment.ts",
    "components/gateway/network-policy.ts",
    "components/gateway/nginx-config.ts",
    "components/gateway/services.ts",
    "components/seed/charts.ts",
    "components/seed/network-policies.ts",
    "components/tenant/tenant-config-maps.ts",
];

/** The spec layer is pure as a whole: schemas, defaults, checks. */
function specFiles(): string[] {
    const spec = join(ROOT, "spec");
    return readdirSync(spec, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => relative(ROOT, join(spec, f)));
}

function builderFiles(): string[] {
    const components = join(ROOT, "components");
    const byRole = readdirSync(components, { recursive: true, encoding: "utf8" })
        .filter((f) => /-(objects|values)\.ts$/.test(f))
        .map((f) => relative(ROOT, join(components, f)));
    return [...byRole, ...NAMED_BUILDERS, ...specFiles()].sort();
}

/** Loads each file on its own (cache cleared in between); the @pulumi modules each one loaded. */
const PROBE = `
const path = require("path");
const out = {};
for (const file of process.argv.slice(1)) {
    for (const key of Object.keys(require.cache)) delete require.cache[key];
    require(path.resolve(file));
    out[file] = Object.keys(require.cache)
        .filter((k) => /node_modules[\\\\/]@pulumi[\\\\/]/.test(k))
        .map((k) => k.replace(/^.*node_modules[\\\\/]/, ""))
        .slice(0, 3);
}
process.stdout.write(JSON.stringify(out));
`;

async function pulumiModulesLoadedBy(files: string[]): Promise<Record<string, string[]>> {
    const { stdout } = await run(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", PROBE, ...files], {
        cwd: ROOT,
        maxBuffer: 4 * 1024 * 1024,
    });
    return JSON.parse(stdout) as Record<string, string[]>;
}

describe("pure builders", function () {
    this.timeout(120_000);

    it("load no @pulumi package at runtime, and the probe sees one where a resource is created", async () => {
        const files = builderFiles();
        expect(files).to.include.members([
            "components/agents/agent-file-objects.ts",
            "components/seed/overrides-merger-objects.ts",
            "components/seed/seed-objects.ts",
            "components/seed-defaults/seed-defaults-objects.ts",
            "components/gateway/services.ts",
            "spec/cluster-spec.ts",
            "spec/checks/cluster-checks.ts",
        ]);
        const loaded = await pulumiModulesLoadedBy([...files, "components/seed/pinned-chart.ts"]);
        expect(loaded["components/seed/pinned-chart.ts"]).to.not.deep.equal([]);
        delete loaded["components/seed/pinned-chart.ts"];
        expect(loaded).to.deep.equal(Object.fromEntries(files.map((f) => [f, []])));
    });
});
