/**
 * Structural checks of a kubeconfig, so a broken one fails the request (400) instead of an
 * `up` minutes later. Problem messages never quote the document: YAML parser errors include a
 * code frame of the offending line, which could be a token or key, so only line numbers pass.
 */
import { INPUT_LIMITS, readBoundedYaml } from "../input/bounded-input";
import { VerdictMemo } from "../input/verdict-memo";

/**
 * The long values the checks never read: certificate and key data and tokens, on a line of their
 * own as plain scalars of base64 (or JWT) characters. The parser skips them (`x` stands in), so a
 * kubeconfig costs about half as much to read; the structure the checks read is the same.
 */
const UNREAD =
    /^([ ]*(?:- )?(?:certificate-authority-data|client-certificate-data|client-key-data|token):[ ]+)[A-Za-z0-9+/=_.-]{64,}[ ]*$/gm;

type Named = { name?: unknown; [k: string]: unknown };

function namedList(doc: Record<string, unknown>, key: string): Named[] {
    const list = doc[key];
    return Array.isArray(list) ? list.filter((e): e is Named => typeof e === "object" && e !== null) : [];
}

function names(list: Named[]): Set<string> {
    return new Set(list.map((e) => e.name).filter((n): n is string => typeof n === "string"));
}

/**
 * Seed kubeconfig verdicts already reached, by field and the text's digest: every cluster of a seed
 * sends the seed's one kubeconfig, so a service serving a few seeds keeps a few verdicts, used on
 * every request. (User kubeconfigs, one per cluster and seen once, are read every time.)
 */
export const kubeconfigVerdicts = new VerdictMemo<readonly string[]>(64);

/**
 * {@link kubeconfigProblems} for a text many requests carry (a seed's kubeconfig): a text judged
 * before (same field, same text) gets the same verdict without being read again.
 */
export function rememberedKubeconfigProblems(field: string, text: string): string[] {
    // Over the size limit is refused before reading anything; hashing it first would only cost time.
    if (text.length > INPUT_LIMITS.maxStringLength) return kubeconfigProblems(field, text);
    return [...kubeconfigVerdicts.verdict(field, text, (t) => kubeconfigProblems(field, t))];
}

/**
 * Returns every problem with the kubeconfig in `text` (empty when usable), each prefixed with
 * `field` (e.g. "userKubeconfig"). A usable kubeconfig has a cluster with a server, a user, and a
 * context (the current one, or the only one) that names both.
 */
export function kubeconfigProblems(field: string, text: string): string[] {
    // Size, depth and aliases are checked around the one parse: the parser is not safe on unbounded input.
    const read = readBoundedYaml(field, text, UNREAD);
    if (read.kind === "over-limit") return read.problems;
    if (read.kind === "invalid") return [`${field} is not valid YAML${read.line ? ` (line ${read.line})` : ""}`];
    const doc = read.value;
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return [`${field} must be a kubeconfig mapping`];
    const root = doc as Record<string, unknown>;
    const problems: string[] = [];
    const clusters = namedList(root, "clusters");
    const users = namedList(root, "users");
    const contexts = namedList(root, "contexts");
    const withServer = clusters.filter((c) => {
        const cluster = c.cluster as Record<string, unknown> | undefined;
        return typeof cluster?.server === "string" && cluster.server !== "";
    });
    if (withServer.length === 0) problems.push(`${field} has no cluster with a server address`);
    if (users.length === 0) problems.push(`${field} has no user`);
    if (contexts.length === 0) {
        problems.push(`${field} has no context`);
        return problems;
    }
    const current = root["current-context"];
    let context: Named | undefined;
    if (typeof current === "string" && current !== "") {
        context = contexts.find((c) => c.name === current);
        if (!context) problems.push(`${field} current-context names a context that does not exist`);
    } else if (contexts.length === 1) {
        context = contexts[0];
    } else {
        problems.push(`${field} has ${contexts.length} contexts and no current-context`);
    }
    if (context) {
        const ctx = (context.context ?? {}) as Record<string, unknown>;
        if (!names(clusters).has(ctx.cluster as string))
            problems.push(`${field} context names a cluster that does not exist`);
        if (!names(users).has(ctx.user as string)) problems.push(`${field} context names a user that does not exist`);
    }
    return problems;
}
