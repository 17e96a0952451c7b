/**
 * The layering rule (CONTRIBUTING.md, `.dependency-cruiser.cjs`) run by the real
 * dependency-cruiser: the project has no upward import and no cycle, and the rule does catch one.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const DEPCRUISE = join(ROOT, "node_modules", ".bin", "depcruise");
const LAYERS = ["spec", "components", "programs", "executors", "service", "fleet-preview", "cli"];

/** Runs dependency-cruiser with the project's rules in `cwd`; its exit code and report. */
async function cruise(cwd: string, paths: string[]): Promise<{ code: number; report: string }> {
    try {
        const { stdout } = await run(
            DEPCRUISE,
            ["--config", join(cwd, ".dependency-cruiser.cjs"), "--output-type", "err", ...paths],
            {
                cwd,
                maxBuffer: 16 * 1024 * 1024,
            },
        );
        return { code: 0, report: stdout };
    } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        return { code: err.code ?? -1, report: `${err.stdout ?? ""}${err.stderr ?? ""}` };
    }
}

describe("layering", function () {
    this.timeout(180_000);

    it("finds no upward import and no cycle in the project", async () => {
        const { code, report } = await cruise(ROOT, ["index.ts", ...LAYERS]);
        expect(report).to.include("no dependency violations found");
        expect(code).to.equal(0);
    });

    it("fails on an upward import and on a cycle", async () => {
        const dir = mkdtempSync(join(tmpdir(), "mla-layers-"));
        try {
            copyFileSync(join(ROOT, ".dependency-cruiser.cjs"), join(dir, ".dependency-cruiser.cjs"));
            writeFileSync(
                join(dir, "tsconfig.json"),
                JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }),
            );
            for (const layer of ["spec", "components/x", "service/http", "service/operations"])
                mkdirSync(join(dir, layer), { recursive: true });
            writeFileSync(
                join(dir, "spec", "cluster.ts"),
                'import { gateway } from "../components/x/gateway";\nexport const spec = gateway;\n',
            );
            writeFileSync(join(dir, "components", "x", "gateway.ts"), "export const gateway = 1;\n");
            writeFileSync(join(dir, "service", "a.ts"), 'import { b } from "./b";\nexport const a = b;\n');
            writeFileSync(join(dir, "service", "b.ts"), 'import { a } from "./a";\nexport const b = () => a;\n');
            // The core (operations, store, reconcile, health, input) never imports the HTTP layer.
            writeFileSync(join(dir, "service", "http", "errors.ts"), "export const status = 409;\n");
            writeFileSync(
                join(dir, "service", "operations", "runner.ts"),
                'import { status } from "../http/errors";\nexport const s = status;\n',
            );
            const { code, report } = await cruise(dir, ["spec", "components", "service"]);
            expect(code).to.not.equal(0);
            expect(report).to.include("no-upward-from-spec: spec/cluster.ts → components/x/gateway.ts");
            expect(report).to.match(/no-circular: service\/a\.ts/);
            expect(report).to.include("no-http-in-the-core: service/operations/runner.ts → service/http/errors.ts");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
