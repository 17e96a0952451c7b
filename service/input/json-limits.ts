/**
 * The limits of a JSON body (`INPUT_LIMITS` in `bounded-input.ts`), checked twice.
 *
 * Before parsing, the nesting depth of the text: `JSON.parse` itself takes any depth, building
 * every level, and a body of four million nested arrays (8 MB) blocked the event loop for about
 * 4 s before the walk after parsing could refuse it. Texts shorter than {@link PRESCAN_FROM}
 * cannot nest deep enough to cost that (each level takes a byte), so the scan, linear and exiting
 * early, runs only on larger ones.
 *
 * After parsing, a walk of the value ({@link jsonLimitProblems}): depth, entries per array or
 * object, values in all and string lengths, each problem naming its field.
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

/** Field paths are echoed in messages; keys come from the client, so keep them short. */
function pathText(path: string[]): string {
    const shown = path.slice(0, 8).map((p) => (p.length > 40 ? `${p.slice(0, 40)}…` : p));
    return shown.join("/") + (path.length > 8 ? "/…" : "");
}

/** How many keys `object` has, counting no further than `limit`. */
function keysUpTo(object: object, limit: number): number {
    let n = 0;
    for (const key in object) if (Object.hasOwn(object, key) && ++n >= limit) break;
    return n;
}

/**
 * Problems with a parsed JSON value: nesting deeper than {@link INPUT_LIMITS.maxDepth}, arrays or
 * objects of more than {@link INPUT_LIMITS.maxEntries} entries, more than
 * {@link INPUT_LIMITS.maxValues} values in all, and strings longer than
 * {@link INPUT_LIMITS.maxStringLength}, each naming the path (`body/tenant/...`).
 * Iterative, so any depth the JSON parser accepted is walked without recursion.
 */
export function jsonLimitProblems(value: unknown, root = "body"): string[] {
    const problems: string[] = [];
    const stack: Array<{ value: unknown; path: string[] }> = [{ value, path: [root] }];
    let values = 0;
    while (stack.length > 0 && problems.length < 10) {
        const { value: v, path } = stack.pop()!;
        if (typeof v === "string" && v.length > INPUT_LIMITS.maxStringLength) {
            problems.push(`${pathText(path)} is longer than ${INPUT_LIMITS.maxStringLength} characters`);
        } else if (typeof v === "object" && v !== null) {
            if (path.length - 1 > INPUT_LIMITS.maxDepth) {
                problems.push(`${pathText(path.slice(0, 4))} nests deeper than ${INPUT_LIMITS.maxDepth} levels`);
                continue;
            }
            // Counted before anything is allocated for them (Object.entries of four million items took 4 s).
            const size = Array.isArray(v) ? v.length : keysUpTo(v, INPUT_LIMITS.maxEntries + 1);
            if (size > INPUT_LIMITS.maxEntries) {
                problems.push(
                    Array.isArray(v)
                        ? `${pathText(path)} has ${size} items, more than ${INPUT_LIMITS.maxEntries}`
                        : `${pathText(path)} has more than ${INPUT_LIMITS.maxEntries} keys`,
                );
                continue;
            }
            values += size;
            if (values > INPUT_LIMITS.maxValues) {
                problems.push(`${root} holds more than ${INPUT_LIMITS.maxValues} values`);
                break;
            }
            for (const [k, child] of Object.entries(v)) stack.push({ value: child, path: [...path, k] });
        }
    }
    return problems;
}
