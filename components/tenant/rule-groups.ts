/**
 * The rule-file renderer for the Cortex ruler (PromQL) and the Loki ruler (LogQL). The chart
 * sidecars put each file into the tenant's rule directory, where the file name becomes the rule
 * namespace. The checks live in `spec/checks/rule-groups.ts`.
 */
import { stringify } from "yaml";
import { RULE_KEYS } from "../../spec/checks/rule-groups";
import { type RuleGroupSpec } from "../../spec/tenant-spec";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The rule file for `groups` (Prometheus rule-file format). Keys come out in a fixed order so
 * that the same groups always give the same bytes, whatever order the input object had.
 */
export function renderRuleFile(groups: readonly RuleGroupSpec[]): string {
    const ordered = groups.map((g) => ({
        name: g.name,
        ...(g.interval !== undefined ? { interval: g.interval } : {}),
        rules: g.rules.map((r) => orderKeys(r, RULE_KEYS)),
    }));
    return stringify({ groups: ordered }, { lineWidth: 0 });
}

function orderKeys(obj: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of order) if (obj[key] !== undefined) out[key] = sortMap(obj[key]);
    return out;
}

/** Labels and annotations sorted by name: stable bytes regardless of input order. */
function sortMap(value: unknown): unknown {
    if (!isObj(value)) return value;
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
