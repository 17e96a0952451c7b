/**
 * Checks of rule groups for the Cortex ruler (PromQL) and the Loki ruler (LogQL), pure. Both rulers
 * read the Prometheus rule-file format (`groups:`); expressions are parsed with the upstream
 * grammars, and group names must be unique within one file, as both rulers require.
 */
import { durationProblem } from "./duration";
import { promqlProblem } from "./promql";
import { logqlSyntaxProblem } from "./logql";

/** Which ruler evaluates the groups; decides the expression checks and message prefixes. */
export type RuleLanguage = "promql" | "logql";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** The fields of one rule, in the order the renderer writes them. */
export const RULE_KEYS = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"];
const GROUP_KEYS = ["name", "interval", "rules", "limit"];
/** A LogQL stream selector with at least one matcher, e.g. `{app="x"}`. */
const STREAM_SELECTOR = /\{\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"/;
/** A range, e.g. `[5m]`: the Loki ruler only evaluates metric queries, which need one. */
const RANGE = /\[\s*\d+(ms|s|m|h|d|w|y)[^\]]*\]/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every problem with `groups`, each message starting with `where` (e.g. `metricRuleGroups`).
 * Group names must be unique within one file, as both rulers require.
 */
export function ruleGroupProblems(groups: unknown, where: string, language: RuleLanguage): string[] {
    if (!Array.isArray(groups)) return [`${where} must be a list of rule groups`];
    const problems: string[] = [];
    const seen = new Set<string>();
    groups.forEach((group, i) => {
        const at = `${where}[${i}]`;
        if (!isObj(group)) {
            problems.push(`${at} must be a mapping with name and rules`);
            return;
        }
        const name = group.name;
        if (typeof name !== "string" || name.trim() === "") problems.push(`${at}.name is required`);
        else if (seen.has(name)) problems.push(`${at}.name "${name}" is used by another group in ${where}`);
        else seen.add(name);
        const label = typeof name === "string" && name !== "" ? `${where} group "${name}"` : at;
        for (const key of Object.keys(group)) {
            if (!GROUP_KEYS.includes(key)) problems.push(`${label} has an unknown field "${key}"`);
        }
        if (group.interval !== undefined) pushIf(problems, durationProblem(`${label} interval`, group.interval));
        if (!Array.isArray(group.rules) || group.rules.length === 0) {
            problems.push(`${label} needs at least one rule`);
            return;
        }
        group.rules.forEach((rule, j) => problems.push(...ruleProblems(rule, `${label} rule ${j + 1}`, language)));
    });
    return problems;
}

function ruleProblems(rule: unknown, at: string, language: RuleLanguage): string[] {
    if (!isObj(rule)) return [`${at} must be a mapping`];
    const problems: string[] = [];
    for (const key of Object.keys(rule)) {
        if (!RULE_KEYS.includes(key)) problems.push(`${at} has an unknown field "${key}"`);
    }
    const isAlert = rule.alert !== undefined;
    const isRecord = rule.record !== undefined;
    if (isAlert === isRecord) problems.push(`${at} needs exactly one of "alert" or "record"`);
    if (isAlert && (typeof rule.alert !== "string" || rule.alert.trim() === "")) {
        problems.push(`${at}: alert must be a non-empty name`);
    }
    if (isRecord && (typeof rule.record !== "string" || !METRIC_NAME.test(rule.record))) {
        problems.push(
            `${at}: record must be a metric name such as "job:errors:rate5m", got ${JSON.stringify(rule.record)}`,
        );
    }
    const title = isAlert ? `${at} (${String(rule.alert)})` : isRecord ? `${at} (${String(rule.record)})` : at;
    if (typeof rule.expr !== "string" || rule.expr.trim() === "") problems.push(`${title}: expr must not be empty`);
    else if (language === "logql") problems.push(...logqlProblems(rule.expr, title));
    else pushIf(problems, promqlProblem(rule.expr, title));
    for (const key of ["for", "keep_firing_for"]) {
        if (rule[key] === undefined) continue;
        if (!isAlert) problems.push(`${title}: "${key}" is only allowed on alerting rules`);
        pushIf(problems, durationProblem(`${title} ${key}`, rule[key]));
    }
    for (const key of ["labels", "annotations"]) {
        if (rule[key] === undefined) continue;
        if (key === "annotations" && !isAlert)
            problems.push(`${title}: annotations are only allowed on alerting rules`);
        problems.push(...stringMapProblems(rule[key], `${title} ${key}`));
    }
    return problems;
}

/** LogQL syntax (Grafana's grammar), then the shape the Loki ruler needs: a metric query over a stream. */
function logqlProblems(expr: string, title: string): string[] {
    const syntax = logqlSyntaxProblem(expr, title);
    if (syntax !== undefined) return [syntax];
    const problems: string[] = [];
    if (!STREAM_SELECTOR.test(expr)) problems.push(`${title}: expr needs a LogQL stream selector such as {app="web"}`);
    if (!RANGE.test(expr)) {
        problems.push(
            `${title}: expr must be a LogQL metric query with a range, e.g. count_over_time({app="web"} |= "error" [5m]) > 0`,
        );
    }
    return problems;
}

function stringMapProblems(value: unknown, at: string): string[] {
    if (!isObj(value)) return [`${at} must be a mapping of names to strings`];
    return Object.entries(value).flatMap(([k, v]) => {
        const out: string[] = [];
        if (!LABEL_NAME.test(k)) out.push(`${at}: "${k}" is not a valid label name`);
        if (typeof v !== "string") out.push(`${at}: the value of "${k}" must be a string`);
        return out;
    });
}

function pushIf(problems: string[], problem: string | undefined): void {
    if (problem) problems.push(problem);
}
