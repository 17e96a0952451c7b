/**
 * Field-level checks of users' custom scrape configs (pure), so that a config either metrics
 * agent would refuse is refused before anything is created, with the field named.
 *
 * The allowed sets are the intersection of what Prometheus (2.42 as Debian ships it, and the
 * deployed 3.x) and vmagent (1.79 as Debian ships it, `-promscrape.config.strictParse`, and the
 * deployed image) accept. Examples of what falls outside: `remote_write` inside a job (neither),
 * `target_limit`, `body_size_limit`, `enable_http2`, `no_proxy` (vmagent refuses them),
 * `keepequal`/`dropequal` relabel actions (vmagent 1.79 refuses them), vmagent's `if:` and
 * `drop_if_equal` (Prometheus refuses them). test/agents/scrape-config-checks.test.ts
 * cross-checks every refusal and acceptance against both real parsers.
 */
import { parseDuration } from "../validation";

/** scrape_config fields both agents accept. */
export const SCRAPE_CONFIG_FIELDS = [
    "job_name",
    "honor_labels",
    "honor_timestamps",
    "params",
    "scrape_interval",
    "scrape_timeout",
    "metrics_path",
    "scheme",
    "basic_auth",
    "authorization",
    "oauth2",
    "follow_redirects",
    "tls_config",
    "proxy_url",
    "sample_limit",
    "relabel_configs",
    "metric_relabel_configs",
    "static_configs",
    "file_sd_configs",
    "kubernetes_sd_configs",
    "dns_sd_configs",
    "http_sd_configs",
    "ec2_sd_configs",
] as const;

/** Kubernetes discovery roles (Prometheus' list; vmagent accepts the same names). */
export const KUBERNETES_SD_ROLES = ["node", "pod", "service", "endpoints", "endpointslice", "ingress"] as const;

/** relabel_config fields both agents accept. */
export const RELABEL_FIELDS = [
    "source_labels",
    "separator",
    "regex",
    "modulus",
    "target_label",
    "replacement",
    "action",
] as const;

/** Relabel actions both agents accept. */
export const RELABEL_ACTIONS = [
    "replace",
    "keep",
    "drop",
    "hashmod",
    "labelmap",
    "labeldrop",
    "labelkeep",
    "lowercase",
    "uppercase",
] as const;

const BOOLEAN_FIELDS = ["honor_labels", "honor_timestamps", "follow_redirects"];
const DURATION_FIELDS = ["scrape_interval", "scrape_timeout"];
const STRING_FIELDS = ["metrics_path", "proxy_url"];
const LIST_FIELDS = SCRAPE_CONFIG_FIELDS.filter((f) => f.endsWith("_configs"));

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function relabelProblems(where: string, rules: unknown[]): string[] {
    const problems: string[] = [];
    rules.forEach((rule, i) => {
        const at = `${where}[${i}]`;
        if (!isObject(rule)) {
            problems.push(`${at} must be an object`);
            return;
        }
        for (const key of Object.keys(rule)) {
            if (!(RELABEL_FIELDS as readonly string[]).includes(key)) problems.push(`${at}: unknown field "${key}"`);
        }
        const action = rule.action ?? "replace";
        if (typeof action !== "string" || !(RELABEL_ACTIONS as readonly string[]).includes(action.toLowerCase())) {
            problems.push(`${at}.action ${JSON.stringify(rule.action)} must be one of ${RELABEL_ACTIONS.join(", ")}`);
        }
        if (
            rule.source_labels !== undefined &&
            !(Array.isArray(rule.source_labels) && rule.source_labels.every((l) => typeof l === "string"))
        ) {
            problems.push(`${at}.source_labels must be a list of label names`);
        }
    });
    return problems;
}

/**
 * Problems of one custom scrape config (`label` names it in messages, e.g. `custom scrape config
 * "app"`). Job-name uniqueness is checked across the list by the caller.
 */
export function scrapeConfigFieldProblems(label: string, config: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const key of Object.keys(config)) {
        if (!(SCRAPE_CONFIG_FIELDS as readonly string[]).includes(key)) {
            problems.push(
                `${label}: unknown field "${key}" (the metrics agents accept ${SCRAPE_CONFIG_FIELDS.join(", ")})`,
            );
        }
    }
    for (const key of BOOLEAN_FIELDS) {
        if (config[key] !== undefined && typeof config[key] !== "boolean")
            problems.push(`${label}: ${key} must be true or false`);
    }
    for (const key of DURATION_FIELDS) {
        const value = config[key];
        if (value !== undefined && !((parseDuration(value) ?? 0) > 0))
            problems.push(`${label}: ${key} must be a duration like 30s, got ${JSON.stringify(value)}`);
    }
    for (const key of STRING_FIELDS) {
        if (config[key] !== undefined && typeof config[key] !== "string")
            problems.push(`${label}: ${key} must be a string`);
    }
    if (config.scheme !== undefined && config.scheme !== "http" && config.scheme !== "https")
        problems.push(`${label}: scheme must be http or https`);
    if (
        config.sample_limit !== undefined &&
        !(Number.isInteger(config.sample_limit) && (config.sample_limit as number) >= 0)
    ) {
        problems.push(`${label}: sample_limit must be a whole number >= 0`);
    }
    for (const key of LIST_FIELDS) {
        const value = config[key];
        if (value === undefined) continue;
        if (!Array.isArray(value) || !value.every(isObject)) {
            problems.push(`${label}: ${key} must be a list of objects`);
        } else if (key === "relabel_configs" || key === "metric_relabel_configs") {
            problems.push(...relabelProblems(`${label}: ${key}`, value));
        } else if (key === "kubernetes_sd_configs") {
            // vmagent -dryRun does not check roles and Debian's promtool has no Kubernetes SD.
            value.forEach((sd, i) => {
                if (!(KUBERNETES_SD_ROLES as readonly unknown[]).includes(sd.role)) {
                    problems.push(
                        `${label}: kubernetes_sd_configs[${i}].role ${JSON.stringify(sd.role)} must be one of ${KUBERNETES_SD_ROLES.join(", ")}`,
                    );
                }
            });
        }
    }
    return problems;
}
