/** `mla render seed-values`: writes the exact values the seed passes to each chart, for `helm template`. */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { QUIET_YAML } from "../../spec/yaml-quiet";
import { SEED_CHARTS } from "../../components/seed/charts";
import { seedChartValues } from "../../components/seed/seed-values";
import { parseFlags, requireFlag, writeFiles } from "./args";
import { type Command, UsageError } from "./command";
import { ConfigReader, type ConfigSource } from "../../programs/config-reader";
import { loadSeedSettings } from "../../programs/seed-config";
import { type SeedPlan, defaultSeedPlan } from "../../spec/seed-plan";

/**
 * A stack config file (`Pulumi.<stack>.yaml`) as a {@link ConfigSource}. Secrets are never
 * decrypted: values do not contain them, so a placeholder marks them present.
 */
export function stackFileConfigSource(text: string, namespace = "mla"): ConfigSource {
    const config = ((parse(text, QUIET_YAML) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
    const get = (key: string) => config[`${namespace}:${key}`];
    return {
        namespace,
        get: (key) => {
            const v = get(key);
            return v !== null && typeof v === "object" && "secure" in v ? undefined : v;
        },
        getSecret: (key) => (get(key) === undefined ? undefined : pulumi.secret("<secret>")),
    };
}

/** The file contents `render seed-values` writes, by file name. */
export function seedValuesFiles(plan: SeedPlan = defaultSeedPlan()): Record<string, string> {
    const files: Record<string, string> = {};
    for (const [chart, values] of Object.entries(seedChartValues(plan))) {
        const ref = SEED_CHARTS[chart as keyof typeof SEED_CHARTS];
        const header = `# ${ref.chart} ${ref.version} from ${ref.repo}, release "${ref.releaseName}", namespace "${plan.namespace}"\n`;
        files[`${chart}-values.yaml`] = header + stringify(values);
    }
    return files;
}

export const renderSeedValues: Command = {
    name: "render seed-values",
    summary: "Write the Helm values the seed passes to cortex, loki, grafana and minio",
    usage: [
        "Usage: mla render seed-values --out DIR [--stack-config Pulumi.<stack>.yaml]",
        "",
        "Writes <chart>-values.yaml for cortex, loki, grafana and (when bundled) minio: exactly the",
        "values the seed stack passes, so that `helm template` can render them. Without",
        "--stack-config the default plan is used (namespace mla, bundled MinIO).",
        "",
        "Options:",
        "  --out DIR             directory to write into (created if missing)",
        "  --stack-config FILE   a seed stack's config file; secrets are not read",
        "",
    ].join("\n"),
    async run(args, io) {
        const flags = parseFlags(args, { out: { type: "string" }, "stack-config": { type: "string" } });
        const out = requireFlag(flags.out, "out");
        let plan = defaultSeedPlan();
        const file = flags["stack-config"];
        if (file !== undefined) {
            let text: string;
            try {
                text = readFileSync(file, "utf8");
            } catch (e) {
                throw new UsageError(`cannot read --stack-config ${file}: ${(e as Error).message}`);
            }
            plan = loadSeedSettings(new ConfigReader(stackFileConfigSource(text))).plan;
        }
        for (const path of writeFiles(out, seedValuesFiles(plan))) io.out(`${path}\n`);
        return 0;
    },
};
