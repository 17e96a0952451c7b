/**
 * `yaml`'s `parseDocument`, stopped at the first error. The service only reports that a field is
 * not valid YAML, with the line, so it needs no second error. Going on costs a lot on hostile
 * text: `[,-,-,-…` makes 1.5 errors per character, each a `YAMLParseError` with its stack, and
 * `parseDocument` then formats each one with a slice of its line. An 80 KB field on one line
 * blocked the event loop for 25 s, 40 KB for 2.5 s; stopped at the first error, 256 KB takes a
 * few ms (test/security/bounded-input.test.ts times it). The service's YAML fields are read with
 * it (`service/input/bounded-input.ts`, the Alertmanager checks).
 *
 * The composer reports errors through its `onError` member, which `yaml` 2's types mark private.
 * Replacing it is the one way to stop at the first error; the lockfile pins the version, and the
 * tests fail if the member stops being used (the error's line, and the time, are both checked).
 */
import { Composer, type Document, Parser } from "yaml";
import { QUIET_YAML } from "./yaml-quiet";

/** Thrown out of the composer at the first error; never escapes this module. */
const STOP = new Error("stopped at the first YAML error");

/** Where in the text an error's source (as the composer reports it) starts. */
function offsetOf(source: unknown): number {
    if (typeof source === "number") return source;
    if (Array.isArray(source)) return Number(source[0]);
    return Number((source as { offset?: number }).offset ?? 0);
}

/** The line (from 1) of character `offset` of `text`. */
function lineOf(text: string, offset: number): number {
    let line = 1;
    for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
    return line;
}

/** The options of `parseDocument` the service's reads set; the defaults are the library's. */
export interface FirstErrorOptions {
    /** "1.1" reads as Go's yaml.v2 does (`yes` a boolean, `<<` a merge). */
    version?: "1.1" | "1.2";
    /** false: a duplicate key is no error, the last one winning. */
    uniqueKeys?: boolean;
}

/** The single document in `text`, or the line of its first error (a second document is one). */
export function parseUntilFirstError(
    text: string,
    options: FirstErrorOptions = {},
): { doc: Document.Parsed } | { errorLine: number } {
    const composer = new Composer({ ...QUIET_YAML, ...options });
    let errorAt: number | undefined;
    (
        composer as unknown as { onError: (source: unknown, code: string, message: string, warning?: boolean) => void }
    ).onError = (source, _code, _message, warning) => {
        if (warning) return;
        // The composer reports an exception inside a node as an error of each node around it,
        // which lands here again: the first report is the error.
        errorAt ??= offsetOf(source);
        throw STOP;
    };
    let doc: Document.Parsed | undefined;
    try {
        for (const next of composer.compose(new Parser().parse(text), true, text.length)) {
            if (doc) {
                errorAt = next.range[0];
                break;
            }
            doc = next;
        }
    } catch (e) {
        if (e !== STOP) throw e;
    }
    if (errorAt === undefined && doc && doc.errors.length > 0) errorAt = doc.errors[0].pos[0];
    if (errorAt !== undefined || !doc) return { errorLine: lineOf(text, errorAt ?? 0) };
    return { doc };
}
