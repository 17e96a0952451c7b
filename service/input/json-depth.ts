/**
 * The nesting depth of a JSON text, measured before it is parsed. `JSON.parse` itself takes any
 * depth, building every level: a body of four million nested arrays (8 MB) blocked the event loop
 * for about 4 s before the walk after parsing (`jsonLimitProblems`) could refuse it. Texts shorter
 * than {@link PRESCAN_FROM} cannot nest deep enough to cost that (each level takes a byte), so
 * the scan, linear and exiting early, runs only on larger ones.
 */
import { INPUT_LIMITS } from "./bounded-input";

/** Bodies from this many characters on are scanned before parsing. */
export const PRESCAN_FROM = 64 * 1024;

const QUOTE = 34; // "
const BACKSLASH = 92;
const OPEN_ARRAY = 91;
const OPEN_OBJECT = 123;
const CLOSE_ARRAY = 93;
const CLOSE_OBJECT = 125;

/** Whether `text` nests deeper than `limit` (brackets inside strings do not count). */
export function jsonNestsDeeper(text: string, limit: number = INPUT_LIMITS.maxDepth): boolean {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
            if (c === BACKSLASH) i++;
            else if (c === QUOTE) inString = false;
        } else if (c === QUOTE) inString = true;
        else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
            if (++depth > limit) return true;
        } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    }
    return false;
}

/** The problem of a body text too deep to parse, or undefined (always for texts under {@link PRESCAN_FROM}). */
export function jsonTextProblem(text: string, root = "body"): string | undefined {
    if (text.length < PRESCAN_FROM || !jsonNestsDeeper(text)) return undefined;
    return `${root} nests deeper than ${INPUT_LIMITS.maxDepth} levels`;
}
