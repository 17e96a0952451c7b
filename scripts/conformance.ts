/**
 * Checks the rendered seed chart values against the reference charts:
 *   ts-node --transpile-only scripts/conformance.ts <chartsDir>
 * Loki: the values, merged over the chart defaults, against `values.schema.json`.
 * Cortex, Grafana, MinIO: every key path we set must exist in the chart's default `values.yaml`,
 * except under the free-form maps listed in `conformance-check.ts`.
 * Prints what it checked; exits 1 with the list of violations, 2 on usage errors.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { SEED_CHARTS, type SeedChartName } from "../components/seed/charts";
import { seedChartValues } from "../components/seed/seed-values";
import { FREE_FORM, schemaViolations, unknownKeyPaths } from "./conformance-check";
import { defaultSeedPlan } from "../spec/seed-plan";

function readYaml(path: string): unknown {
    return parse(readFileSync(path, "utf8"));
}

/** Runs every check; returns the violations, each prefixed with its chart. */
export function checkCharts(chartsDir: string, log: (line: string) => void): string[] {
    const violations: string[] = [];
    const values = seedChartValues(defaultSeedPlan());
    for (const chart of Object.keys(SEED_CHARTS) as SeedChartName[]) {
        const dir = join(chartsDir, chart);
        const chartYaml = readYaml(join(dir, "Chart.yaml")) as { version?: string };
        const pinned = SEED_CHARTS[chart].version;
        if (chartYaml.version !== pinned) {
            violations.push(`${chart}: reference chart is ${chartYaml.version}, we pin ${pinned}`);
        }
        const defaults = readYaml(join(dir, "values.yaml"));
        const ours = values[chart];
        if (!ours) throw new Error(`no rendered values for ${chart}`);
        const schemaPath = join(dir, "values.schema.json");
        if (chart === "loki") {
            if (!existsSync(schemaPath)) throw new Error(`${schemaPath} is missing`);
            const found = schemaViolations(ours, defaults, JSON.parse(readFileSync(schemaPath, "utf8")));
            log(`loki ${pinned}: values merged over defaults against values.schema.json: ${found.length} violation(s)`);
            violations.push(...found.map((v) => `loki: schema: ${v}`));
        } else {
            const found = unknownKeyPaths(ours, defaults, FREE_FORM[chart] ?? []);
            log(
                `${chart} ${pinned}: key paths against default values.yaml (free-form: ${(FREE_FORM[chart] ?? []).join(", ")}): ${found.length} unknown`,
            );
            violations.push(...found.map((p) => `${chart}: ${p} is not a key of the chart's values.yaml`));
        }
    }
    return violations;
}

if (require.main === module) {
    const dir = process.argv[2];
    if (!dir) {
        process.stderr.write("usage: ts-node --transpile-only scripts/conformance.ts <chartsDir>\n");
        process.exit(2);
    }
    const violations = checkCharts(dir, (line) => process.stdout.write(`${line}\n`));
    if (violations.length > 0) {
        process.stderr.write(
            `${violations.length} conformance violation(s):\n${violations.map((v) => `  - ${v}`).join("\n")}\n`,
        );
        process.exit(1);
    }
    process.stdout.write("chart values conform to the reference charts\n");
}
