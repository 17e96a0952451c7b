/**
 * PromQL syntax check for metric rule expressions, with the Prometheus project's own lezer
 * grammar (the one its web UI uses), so a rule the Cortex ruler would refuse is refused here,
 * before anything is created. Label-matcher regexes are compiled too, as Prometheus does.
 */
import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";
import { re2Problem } from "./re2-regex";

/** Why `expr` is not valid PromQL, or undefined. `title` starts the message (rule location). */
export function promqlProblem(expr: string, title: string): string | undefined {
    const tree = parser.parse(expr);
    let errorAt: number | undefined;
    let regexProblem: string | undefined;
    tree.iterate({
        enter(node) {
            if (errorAt !== undefined) return false;
            if (node.type.isError) {
                errorAt = node.from;
                return false;
            }
            if (node.name.endsWith("LabelMatcher") && regexProblem === undefined) {
                regexProblem = matcherRegexProblem(node.node, expr);
            }
            return undefined;
        },
    });
    const shown = JSON.stringify(expr);
    if (errorAt !== undefined) {
        return `${title}: expr ${shown} is not valid PromQL (syntax error at ${position(expr, errorAt)})`;
    }
    if (regexProblem !== undefined) return `${title}: expr ${shown} is not valid PromQL (${regexProblem})`;
    return undefined;
}

/** `column N` (1-based), or `line L, column N` for multi-line expressions. */
export function position(expr: string, offset: number): string {
    const before = expr.slice(0, offset).split("\n");
    const column = before[before.length - 1].length + 1;
    return before.length > 1 ? `line ${before.length}, column ${column}` : `column ${column}`;
}

/** For `=~` / `!~` matchers: why the (unquoted) regex does not compile, if it does not. */
function matcherRegexProblem(matcher: SyntaxNode, expr: string): string | undefined {
    const op = matcher.getChild("MatchOp");
    if (!op || !/Regex$/.test(op.firstChild?.name ?? "")) return undefined;
    const literals = matcher.getChildren("StringLiteral");
    const value = literals[literals.length - 1];
    if (!value) return undefined;
    const regex = unquote(expr.slice(value.from, value.to));
    const problem = re2Problem(regex);
    return problem === undefined ? undefined : `regex ${JSON.stringify(regex)} at column ${value.from + 1}: ${problem}`;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v" };

/** The value of a PromQL string literal: "..." and '...' have Go escapes, `...` is raw. */
export function unquote(literal: string): string {
    const body = literal.slice(1, -1);
    if (literal.startsWith("`")) return body;
    return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[0-7]{3}|.)/g, (_m, esc: string) => {
        if (/^[xu]/.test(esc) && esc.length > 1) return String.fromCharCode(parseInt(esc.slice(1), 16));
        if (/^[0-7]{3}$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
        return ESCAPES[esc] ?? esc;
    });
}
