/**
 * LogQL syntax check for log rule expressions, with Grafana's lezer grammar for LogQL (the one
 * Grafana's query editor uses), so a rule the Loki ruler would refuse for its syntax is refused
 * here, before anything is created. Semantics (e.g. unwrap on a non-numeric label) are left to Loki.
 */
import { parser } from "@grafana/lezer-logql";
import { position } from "./promql";

/** Why `expr` is not valid LogQL syntax, or undefined. `title` starts the message (rule location). */
export function logqlSyntaxProblem(expr: string, title: string): string | undefined {
    let errorAt: number | undefined;
    parser.parse(expr).iterate({
        enter(node) {
            if (errorAt !== undefined) return false;
            if (node.type.isError) {
                errorAt = node.from;
                return false;
            }
            return undefined;
        },
    });
    if (errorAt === undefined) return undefined;
    return `${title}: expr ${JSON.stringify(expr)} is not valid LogQL (syntax error at ${position(expr, errorAt)})`;
}
