/**
 * Checks of a tenant's Alertmanager config (pure). The multi-tenant Cortex Alertmanager loads the
 * owner's YAML long after `pulumi up` succeeded, so everything it would refuse, and everything that
 * would let a receiver reach inside the seed, is refused here first: structure, matchers and their
 * regexes, receiver keys, egress, merge keys and file references.
 */
import { parseUntilFirstError } from "../yaml-first-error";
import { alertmanagerEgressProblems } from "./alertmanager-egress";
import { matcherProblems } from "./alertmanager-matchers";
import { receiverKeyProblems } from "./alertmanager-receivers";
import { durationProblem } from "./duration";

const ROUTE_DURATIONS = ["group_wait", "group_interval", "repeat_interval"];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every problem with an owner config, as messages starting with `alertmanagerConfig`. An empty
 * list means the config is sound as far as checked here: structure, matchers and their regexes,
 * receiver keys, and where receivers may send (tests run amtool on the same texts).
 */
export function alertmanagerConfigProblems(text: string): string[] {
    // The Alertmanager reads its config with Go's yaml.v2, which speaks YAML 1.1: `yes`/`on` are
    // booleans and `<<` merges. Parsing the same way, the checks see the values it gets. Stopped
    // at the first error, so hostile text costs no more than valid text.
    const parsed = parseUntilFirstError(text, { version: "1.1" });
    if ("errorLine" in parsed) return [`alertmanagerConfig is not valid YAML (line ${parsed.errorLine})`];
    const doc: unknown = parsed.doc.toJS();
    if (!isObj(doc)) return ["alertmanagerConfig must be a YAML mapping with route and receivers"];
    const problems: string[] = [];
    const names = receiverNames(doc.receivers, problems);
    if (!isObj(doc.route)) problems.push("alertmanagerConfig.route is required and must be a mapping");
    else {
        if (typeof doc.route.receiver !== "string" || doc.route.receiver === "") {
            problems.push("alertmanagerConfig.route.receiver is required (the receiver for unmatched alerts)");
        }
        checkRoute(doc.route, "alertmanagerConfig.route", names, problems);
    }
    if (doc.inhibit_rules !== undefined && !Array.isArray(doc.inhibit_rules)) {
        problems.push("alertmanagerConfig.inhibit_rules must be a list");
    } else if (Array.isArray(doc.inhibit_rules)) {
        doc.inhibit_rules.forEach((rule, i) => {
            if (isObj(rule)) problems.push(...matcherProblems(rule, `alertmanagerConfig.inhibit_rules[${i}]`));
        });
    }
    // Receivers must not reach inside the seed (alertmanager-egress.ts).
    problems.push(...alertmanagerEgressProblems(doc));
    // Merge keys are refused as well: the delivered text is edited (`withoutRedirects`) where its
    // structure shows an http_config, and a merged one would hide from that.
    const literal = parseUntilFirstError(text);
    for (const path of "doc" in literal ? mergeKeyPaths(literal.doc.toJS(), "alertmanagerConfig") : []) {
        problems.push(`${path} uses a YAML merge key (<<); write the fields out so they can be checked`);
    }
    for (const path of filePaths(doc, "alertmanagerConfig")) {
        // Cortex refuses file references in tenant configs: they would read the Alertmanager's own disk.
        problems.push(
            `${path} refers to a local file, which the multi-tenant Alertmanager does not allow; put the value inline`,
        );
    }
    return problems;
}

function receiverNames(receivers: unknown, problems: string[]): Set<string> {
    const names = new Set<string>();
    if (!Array.isArray(receivers) || receivers.length === 0) {
        problems.push("alertmanagerConfig.receivers is required and must list at least one receiver");
        return names;
    }
    receivers.forEach((r, i) => {
        if (isObj(r)) problems.push(...receiverKeyProblems(r, `alertmanagerConfig.receivers[${i}]`));
        const name = isObj(r) ? r.name : undefined;
        if (typeof name !== "string" || name === "") {
            problems.push(`alertmanagerConfig.receivers[${i}] needs a name`);
        } else if (names.has(name)) {
            problems.push(`alertmanagerConfig.receivers: the name "${name}" is used twice`);
        } else names.add(name);
    });
    return names;
}

function checkRoute(route: Obj, path: string, names: Set<string>, problems: string[]): void {
    if (route.receiver !== undefined && (typeof route.receiver !== "string" || !names.has(route.receiver))) {
        problems.push(`${path}.receiver "${String(route.receiver)}" is not one of the receivers`);
    }
    problems.push(...matcherProblems(route, path));
    for (const key of ROUTE_DURATIONS) {
        if (route[key] === undefined) continue;
        const problem = durationProblem(`${path}.${key}`, route[key]);
        if (problem) problems.push(problem);
    }
    if (route.routes === undefined) return;
    if (!Array.isArray(route.routes)) {
        problems.push(`${path}.routes must be a list`);
        return;
    }
    route.routes.forEach((child, i) => {
        if (isObj(child)) checkRoute(child, `${path}.routes[${i}]`, names, problems);
        else problems.push(`${path}.routes[${i}] must be a mapping`);
    });
}

/** Paths of every mapping that uses a YAML merge key. */
function mergeKeyPaths(value: unknown, path: string): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => mergeKeyPaths(v, `${path}[${i}]`));
    if (!isObj(value)) return [];
    return [
        ...(Object.hasOwn(value, "<<") ? [path] : []),
        ...Object.entries(value).flatMap(([k, v]) => mergeKeyPaths(v, `${path}.${k}`)),
    ];
}

/** Paths of every `*_file` / `*_files` key, anywhere in the document. */
function filePaths(value: unknown, path: string): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => filePaths(v, `${path}[${i}]`));
    if (!isObj(value)) return [];
    return Object.entries(value).flatMap(([k, v]) =>
        /_files?$/.test(k) ? [`${path}.${k}`] : filePaths(v, `${path}.${k}`),
    );
}
