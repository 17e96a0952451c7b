/**
 * Matcher checks for owner Alertmanager configs: every `matchers` / `source_matchers` /
 * `target_matchers` entry must parse as `name op value`, and every regex (there or in the legacy
 * `match_re` maps) must compile, because the Alertmanager refuses the whole file otherwise.
 */
import { re2Problem } from "./re2-regex";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const MATCHER = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|!~|!=|=)\s*([\s\S]*?)\s*$/;
const LIST_KEYS = ["matchers", "source_matchers", "target_matchers"];
const REGEX_MAP_KEYS = ["match_re", "source_match_re", "target_match_re"];

/** Problems of the matchers of one route or inhibit rule at `path`. */
export function matcherProblems(obj: Obj, path: string): string[] {
    const problems: string[] = [];
    for (const key of LIST_KEYS) {
        const list = obj[key];
        if (list === undefined) continue;
        if (!Array.isArray(list)) {
            problems.push(`${path}.${key} must be a list of matchers such as 'severity="critical"'`);
            continue;
        }
        list.forEach((entry, i) => {
            const at = `${path}.${key}[${i}]`;
            if (typeof entry !== "string") problems.push(`${at} must be a string such as 'severity="critical"'`);
            else for (const m of splitMatchers(entry)) pushIf(problems, oneMatcherProblem(m, at));
        });
    }
    for (const key of REGEX_MAP_KEYS) {
        const map = obj[key];
        if (map === undefined) continue;
        if (!isObj(map)) {
            problems.push(`${path}.${key} must be a mapping of label names to regexes`);
            continue;
        }
        for (const [label, regex] of Object.entries(map)) {
            const problem = typeof regex === "string" ? re2Problem(regex) : "it must be a string";
            if (problem) problems.push(`${path}.${key}.${label}: invalid regex ${JSON.stringify(regex)}: ${problem}`);
        }
    }
    return problems;
}

function oneMatcherProblem(text: string, at: string): string | undefined {
    const m = MATCHER.exec(text);
    if (!m) return `${at}: ${JSON.stringify(text)} is not a matcher such as 'severity="critical"' or 'team=~"a|b"'`;
    const [, , op, raw] = m;
    if (!op.includes("~")) return undefined;
    const regex = raw.startsWith('"') && raw.endsWith('"') && raw.length > 1 ? unquoteDouble(raw) : raw;
    const problem = re2Problem(regex);
    return problem
        ? `${at}: invalid regex ${JSON.stringify(regex)} in matcher ${JSON.stringify(text)}: ${problem}`
        : undefined;
}

/** A matchers string may hold several (`{a="1", b=~"x"}`): split on commas outside quotes. */
function splitMatchers(text: string): string[] {
    let body = text.trim();
    if (body.startsWith("{") && body.endsWith("}")) body = body.slice(1, -1);
    const out: string[] = [];
    let current = "";
    let quoted = false;
    for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if (c === "\\" && quoted) {
            current += c + (body[i + 1] ?? "");
            i++;
            continue;
        }
        if (c === '"') quoted = !quoted;
        if (c === "," && !quoted) {
            out.push(current);
            current = "";
        } else current += c;
    }
    out.push(current);
    return out.filter((m) => m.trim() !== "");
}

function unquoteDouble(raw: string): string {
    try {
        return JSON.parse(raw) as string;
    } catch {
        return raw.slice(1, -1);
    }
}

function pushIf(problems: string[], problem: string | undefined): void {
    if (problem) problems.push(problem);
}
