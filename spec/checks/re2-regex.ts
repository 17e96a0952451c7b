/**
 * A best-effort check of Go RE2 regular expressions (what Prometheus and Alertmanager compile)
 * with the JavaScript engine. The common RE2-only spellings are translated first so that valid
 * RE2 is not refused; constructs RE2 refuses but JavaScript accepts are refused explicitly.
 */

/** RE2 POSIX classes, as JavaScript class contents (used inside `[...]`). */
const POSIX: Record<string, string> = {
    alnum: "0-9A-Za-z",
    alpha: "A-Za-z",
    ascii: "\\x00-\\x7F",
    blank: "\\t ",
    cntrl: "\\x00-\\x1F\\x7F",
    digit: "0-9",
    graph: "!-~",
    lower: "a-z",
    print: " -~",
    punct: "!-\\/:-@\\[-`{-~",
    space: "\\t\\n\\v\\f\\r ",
    upper: "A-Z",
    word: "0-9A-Za-z_",
    xdigit: "0-9A-Fa-f",
};

/** Why `source` does not compile as RE2, or undefined when it does (as far as can be told here). */
export function re2Problem(source: string): string | undefined {
    // Lookaround and back-references: JavaScript has them, RE2 does not.
    if (/\(\?<?[=!]/.test(source)) return "lookahead/lookbehind is not supported (Go RE2 syntax)";
    if (/(^|[^\\])(\\\\)*\\[1-9]/.test(source)) return "back-references are not supported (Go RE2 syntax)";
    let js = source
        .replace(/\(\?P</g, "(?<")
        .replace(/\[:\^?([a-z]+):\]/g, (m, name: string) => POSIX[name] ?? m)
        .replace(/\\[pP]\{?\w+\}?/g, ".")
        .replace(/\\[Az]/g, "")
        .replace(/\\Q(.*?)(\\E|$)/g, (_m, lit: string) => lit.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    // Inline flag groups, e.g. `(?i)` or `(?i:...)`: RE2 has them, JavaScript (before ES2025) does not.
    js = js.replace(/\(\?[imsU-]+\)/g, "").replace(/\(\?[imsU-]+:/g, "(?:");
    try {
        new RegExp(js);
        return undefined;
    } catch (e) {
        return (e as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, "");
    }
}
