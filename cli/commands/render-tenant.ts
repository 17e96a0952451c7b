/**
 * `mla render alertmanager|rules|limits`: write a tenant's Alertmanager config, rule files and
 * overrides fragments, from the same functions the Tenant component uses, so owners can check
 * them with amtool and promtool before `pulumi up`.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { QUIET_YAML } from "../../spec/yaml-quiet";
import {
    defaultLogRuleGroups,
    defaultMetricRuleGroups,
    serviceRuleGroup,
} from "../../components/seed-defaults/default-rule-groups";
import { renderAlertmanagerConfig } from "../../components/tenant/alertmanager-config";
import { renderCortexOverrides, renderLokiOverrides } from "../../components/tenant/limits";
import { renderRuleFile } from "../../components/tenant/rule-groups";
import { TenantConfigError, throwIfProblems } from "../../components/tenant/tenant-error";
import { tenantProblems } from "../../spec/checks/tenant-checks";
import { applyTenantDefaults } from "../../spec/cluster-defaults";
import { TenantInput } from "../../spec/cluster-input";
import { schemaProblems } from "../../spec/schema-problems";
import { parseFlags, requireFlag, writeFiles } from "./args";
import { type Command, type CommandIo, UsageError } from "./command";
import { type TenantSpec } from "../../spec/tenant-spec";

const OPTIONS = {
    "cluster-id": { type: "string" },
    out: { type: "string" },
    config: { type: "string" },
    "alertmanager-config": { type: "string" },
    "metric-rules": { type: "string" },
    "log-rules": { type: "string" },
    "retention-metrics": { type: "string" },
    "retention-logs": { type: "string" },
    purge: { type: "boolean" },
} as const;

const COMMON_USAGE = [
    "Options:",
    "  --cluster-id ID              the tenant (required)",
    "  --out DIR                    directory to write into (required; created if missing)",
    "  --config FILE                a TenantSpec as YAML or JSON (the cluster spec's `tenant`);",
    "                               fields left out take the cluster stack's defaults",
    "  --alertmanager-config FILE   the owner's Alertmanager config (overrides --config)",
    "  --metric-rules FILE          owner metric rules, a Prometheus rule file (`groups:`)",
    "  --log-rules FILE             owner log rules, a Loki rule file (`groups:`)",
    "  --retention-metrics DUR      metric retention, e.g. 720h",
    "  --retention-logs DUR         log retention, e.g. 168h",
    "  --purge                      purge stored data on destroy",
    "",
    "Every input is checked as the Tenant component checks it; problems are listed and the exit",
    "code is 1, with nothing written.",
    "",
].join("\n");

function readText(file: string, flag: string): string {
    try {
        return readFileSync(file, "utf8");
    } catch (e) {
        throw new UsageError(`cannot read --${flag} ${file}: ${(e as Error).message}`);
    }
}

function readGroups(file: string, flag: string): TenantSpec["metricRuleGroups"] {
    const doc = parse(readText(file, flag), QUIET_YAML) as { groups?: unknown } | null;
    if (!doc || !Array.isArray(doc.groups))
        throw new UsageError(`--${flag} ${file} must be a rule file with a groups: list`);
    return doc.groups as TenantSpec["metricRuleGroups"];
}

/**
 * The tenant spec from --config and the flags (flags win), completed with the cluster stack's
 * defaults (`applyTenantDefaults`), so the files match what the stack deploys for the same input.
 */
export function tenantFromFlags(flags: ReturnType<typeof parseFlags<typeof OPTIONS>>): TenantSpec {
    let partial: TenantInput = {};
    if (flags.config !== undefined) {
        const doc = parse(readText(flags.config, "config"), QUIET_YAML);
        if (doc !== null && (typeof doc !== "object" || Array.isArray(doc))) {
            throw new UsageError(`--config ${flags.config} must hold a mapping (a TenantSpec)`);
        }
        // The same schema as the stack config and the HTTP body: unknown fields and bad types named.
        throwIfProblems(schemaProblems(TenantInput, doc ?? {}).map((p) => `${p.path} ${p.message}`));
        partial = (doc ?? {}) as TenantInput;
    }
    const am = flags["alertmanager-config"];
    if (am !== undefined) partial.alertmanagerConfig = readText(am, "alertmanager-config");
    if (flags["metric-rules"] !== undefined)
        partial.metricRuleGroups = readGroups(flags["metric-rules"], "metric-rules");
    if (flags["log-rules"] !== undefined) partial.logRuleGroups = readGroups(flags["log-rules"], "log-rules");
    const retention: NonNullable<TenantInput["retention"]> = { ...partial.retention };
    if (flags["retention-metrics"] !== undefined) retention.metrics = flags["retention-metrics"];
    if (flags["retention-logs"] !== undefined) retention.logs = flags["retention-logs"];
    partial.retention = retention;
    if (flags.purge) partial.purgeOnDestroy = true;
    return applyTenantDefaults(partial);
}

/** Runs one render target: parse, check everything, build the files, write them. */
async function renderTenant(
    args: string[],
    io: CommandIo,
    build: (clusterId: string, tenant: TenantSpec) => Record<string, string>,
): Promise<number> {
    const flags = parseFlags(args, OPTIONS);
    const clusterId = requireFlag(flags["cluster-id"], "cluster-id");
    const out = requireFlag(flags.out, "out");
    const tenant = tenantFromFlags(flags);
    let files: Record<string, string>;
    try {
        throwIfProblems(
            tenantProblems({
                clusterId,
                tenant,
                adminMetricRuleGroups: defaultMetricRuleGroups(),
                adminLogRuleGroups: defaultLogRuleGroups(),
            }),
        );
        files = build(clusterId, tenant);
    } catch (e) {
        if (!(e instanceof TenantConfigError)) throw e;
        io.err(`${e.message}\n`);
        return 1;
    }
    for (const path of writeFiles(out, files)) io.out(`${path}\n`);
    return 0;
}

/** `mla render alertmanager`. */
export const renderAlertmanager: Command = {
    name: "render alertmanager",
    summary: "Write a tenant's Alertmanager config (alertmanager.yml, for amtool check-config)",
    usage: [
        "Usage: mla render alertmanager --cluster-id ID --out DIR [options]",
        "",
        'Writes DIR/alertmanager.yml: the owner\'s config as delivered, or the default that routes every alert to "null".',
        "Receivers may send only to public hosts: no cluster-internal names, private, loopback, link-local or",
        "metadata addresses, no tenant or credential headers, no local files (docs/tenant-isolation.md). The",
        "delivered config sets follow_redirects: false on every HTTP client.",
        "",
        COMMON_USAGE,
    ].join("\n"),
    run: (args, io) =>
        renderTenant(args, io, (_id, t) => ({ "alertmanager.yml": renderAlertmanagerConfig(t.alertmanagerConfig) })),
};

/** `mla render rules`. */
export const renderRules: Command = {
    name: "render rules",
    summary: "Write a tenant's rule files (metrics-rules.yml for promtool, logs-rules.yml)",
    usage: [
        "Usage: mla render rules --cluster-id ID --out DIR [options]",
        "",
        "Writes DIR/metrics-rules.yml (owner metric groups; `promtool check rules` reads it),",
        "DIR/metrics-rules-defaults.yml (the admin default groups every cluster gets) and",
        "DIR/logs-rules.yml (owner log groups, LogQL). The ruler keeps owner and admin groups in",
        "separate rule namespaces, so a group name may appear in both. DIR/mla-serve-rules.yml holds",
        "the alerts on `mla serve`'s own /metrics, for the Prometheus that scrapes the service.",
        "",
        COMMON_USAGE,
    ].join("\n"),
    run: (args, io) =>
        renderTenant(args, io, (_id, t) => ({
            "metrics-rules.yml": renderRuleFile(t.metricRuleGroups),
            "metrics-rules-defaults.yml": renderRuleFile(defaultMetricRuleGroups()),
            "logs-rules.yml": renderRuleFile(t.logRuleGroups),
            "mla-serve-rules.yml": renderRuleFile([serviceRuleGroup()]),
        })),
};

/** `mla render limits`. */
export const renderLimits: Command = {
    name: "render limits",
    summary: "Write a tenant's Cortex and Loki overrides fragments (limits and retention)",
    usage: `Usage: mla render limits --cluster-id ID --out DIR [options]\n\nWrites DIR/cortex-overrides.yaml and DIR/loki-overrides.yaml: this tenant's entries, indented for\nthe seed's merged runtime config (under its single \`overrides:\` key).\n\n${COMMON_USAGE}`,
    run: (args, io) =>
        renderTenant(args, io, (id, t) => ({
            "cortex-overrides.yaml": renderCortexOverrides(id, t),
            "loki-overrides.yaml": renderLokiOverrides(id, t),
        })),
};
