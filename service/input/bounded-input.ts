/**
 * Limits on everything a request carries, checked before any parser or check sees the value:
 * nesting depth, YAML aliases and string sizes. A YAML document nested a few thousand levels
 * deep makes the `yaml` parser overflow its stack (and at ten thousand, exhaust the heap), and an
 * alias bomb expands exponentially, so YAML is measured by a linear scan first and only parsed
 * when it is within the limits. Every problem names the field it was found in.
 */
import { isAlias, visit } from "yaml";
import { parseUntilFirstError } from "../../spec/yaml-first-error";
import { readBlockYaml } from "./block-yaml";
import { loadWithoutAliases } from "./fast-yaml";

/** The limits. Generous for real kubeconfigs, Alertmanager configs, rules and scrape configs. */
export const INPUT_LIMITS = {
    /** Deepest nesting of any JSON value or YAML document. Real configs stay below 15. */
    maxDepth: 64,
    /** Most YAML aliases (`*name`) in one document; kubeconfigs have none. */
    maxAliases: 100,
    /**
     * Most items of one JSON array, or keys of one JSON object. Real bodies hold a few dozen; the
     * schemas' own bounds are far lower. Without it, one 8 MiB body of four million array items
     * made Ajv (`allErrors`) collect a problem per item: 27 s of blocked event loop and 3 GB.
     */
    maxEntries: 10_000,
    /**
     * Most values in one body, every level together: 400 arrays of 10,000 each stalled Ajv the
     * same way (9 s, 1.8 GB). A real body holds a few hundred; a tenant's rules as JSON, thousands.
     */
    maxValues: 50_000,
    /** Longest string anywhere in a body (a kubeconfig with embedded certificates is a few KiB). */
    maxStringLength: 256 * 1024,
    /**
     * Largest request body in bytes. Larger than any field may be, so an oversized field gets a
     * 400 that names it (from the per-field limits) rather than a bare 413 for the whole body.
     */
    bodyLimit: 8 * 1024 * 1024,
} as const;

/**
 * Characters without meaning in YAML's structure: 1 may start a run of them, 2 only continue one
 * (`-`, which may open a sequence entry where a value starts). Other characters, and any code
 * point past 127, are 0 (or undefined).
 */
const WORD = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.") WORD[c.charCodeAt(0)] = 1;
WORD["-".charCodeAt(0)] = 2;

/** Deepest nesting the scan finds, or the limit plus one as soon as it is exceeded. */
function yamlDepth(text: string, limit: number): number {
    let max = 0;
    let flow = 0;
    // Implicit keys in flow collections: a valid entry has at most one (`k: v`), but `yaml`'s
    // parser nests a level for each further key in the same entry (`{k: v k: v …}`, invalid,
    // overflowed its stack at 3,000 of them), so each counts as one. Per open flow collection, the
    // keys of its current entry; and the further keys of all of them together.
    const entryKeys: number[] = [];
    let extraKeys = 0;
    const endEntry = () => {
        extraKeys -= Math.max(0, (entryKeys[entryKeys.length - 1] ?? 0) - 1);
    };
    // Columns of the open block levels (indentation and compact `- ` / `? ` indicators).
    const block: number[] = [];
    // Whether the line that opened each level ended in `key:`: a sequence may then sit at the
    // key's own column (`key:` / `- item`) and still be nested in it.
    const openKey: boolean[] = [];
    const pop = () => {
        block.pop();
        openKey.pop();
    };
    const push = (c: number) => {
        block.push(c);
        openKey.push(false);
    };
    let blockScalarIndent = -1;
    let i = 0;
    while (i < text.length) {
        // At a line start: measure the indentation.
        let col = 0;
        while (text[i] === " ") {
            i++;
            col++;
        }
        const lineEnd = text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i);
        const blank = i >= lineEnd || text[i] === "#" || text[i] === "\r";
        if (blockScalarIndent >= 0 && (blank || col > blockScalarIndent)) {
            i = lineEnd + 1; // the content of a `|` or `>` scalar is text, not structure
            continue;
        }
        blockScalarIndent = -1;
        if (blank) {
            i = lineEnd + 1;
            continue;
        }
        if (flow === 0) {
            const dash = text[i] === "-" && (text[i + 1] === " " || i + 1 === lineEnd);
            while (
                block.length > 0 &&
                (block[block.length - 1] > col ||
                    (block[block.length - 1] === col && !(dash && openKey[openKey.length - 1])))
            )
                pop();
            push(col);
            // Compact nested entries on one line (`- - - x`, `? - x`) each open a level.
            while ((text[i] === "-" || text[i] === "?") && (text[i + 1] === " " || i + 1 === lineEnd)) {
                i += 2;
                col += 2;
                while (text[i] === " ") {
                    i++;
                    col++;
                }
                push(col);
                if (block.length > limit) return block.length;
            }
        }
        let valueStart = true;
        let lastNonSpace = "";
        // Implicit keys (`: `) and complex-key indicators (`? `) on this line outside flow
        // collections: valid YAML has one, but `yaml`'s parser nests a level for each
        // (`k: k: k: …`, invalid), so each counts as one.
        let lineKeys = 0;
        while (i < lineEnd) {
            const c = text[i];
            // A run of word characters (base64 data, tokens, names) changes nothing but these two:
            // skip it whole (its first character cannot be a `-`, which may open an entry).
            if (WORD[text.charCodeAt(i)] === 1) {
                do i++;
                while (WORD[text.charCodeAt(i)] >= 1);
                valueStart = false;
                lastNonSpace = text[i - 1];
                continue;
            }
            if (c === "#" && (i === 0 || text[i - 1] === " " || text[i - 1] === "\t")) break;
            if ((c === "&" || c === "!") && valueStart) {
                // A node's anchor or tag: the node itself follows, and may be a flow collection
                // (`&a[`, `!t{`), so the value has not started yet. The name ends at a space or a
                // flow indicator (or a `:`, counted as usual); a verbatim tag (`!<…>`) at its `>`.
                i++;
                if (c === "!" && text[i] === "<") while (i < lineEnd && text[i] !== ">") i++;
                while (i < lineEnd && !" \t[]{},:".includes(text[i])) i++;
                lastNonSpace = c;
                continue;
            }
            if ((c === '"' || c === "'") && valueStart) {
                // Skip the quoted scalar, across lines if need be. A quote inside a plain scalar
                // (`-"`, `a"b`) is text: taking it for an opening quote would skip structure.
                i++;
                while (i < text.length && text[i] !== c) i += c === '"' && text[i] === "\\" ? 2 : 1;
                i++;
                valueStart = false;
                lastNonSpace = c;
                continue;
            }
            const spaced = text[i + 1] === " " || i + 1 === lineEnd;
            // Whether the next non-space character starts a value (where `[`, `{` and quotes count).
            let structural = false;
            if ((c === "[" || c === "{") && (valueStart || flow > 0)) {
                flow++;
                entryKeys.push(0);
                structural = true;
                max = Math.max(max, block.length + flow);
                if (max > limit) return max;
            } else if ((c === "]" || c === "}") && flow > 0) {
                flow--;
                endEntry();
                entryKeys.pop();
            } else if (c === "," && flow > 0) {
                structural = true;
                endEntry();
                entryKeys[entryKeys.length - 1] = 0;
            } else if (c === ":" && (spaced || flow > 0)) {
                structural = true;
                if (flow === 0) max = Math.max(max, block.length + ++lineKeys);
                else if (spaced || "[]{},".includes(text[i + 1]) || lastNonSpace === '"' || lastNonSpace === "'") {
                    // An indicator (a `:` inside a plain scalar, as in `a:b`, is text).
                    if (++entryKeys[entryKeys.length - 1] > 1) extraKeys++;
                    max = Math.max(max, block.length + flow + extraKeys);
                    if (max > limit) return max;
                }
            } else if ((c === "-" || c === "?") && spaced && valueStart) {
                structural = true;
            }
            if (c === "?" && spaced && flow === 0) max = Math.max(max, block.length + ++lineKeys);
            if (c !== " " && c !== "\t") valueStart = structural;
            if (c !== " " && c !== "\t" && c !== "\r") lastNonSpace = c;
            i++;
        }
        max = Math.max(max, block.length + flow);
        if (max > limit) return max;
        if (flow === 0 && lastNonSpace === ":") openKey[openKey.length - 1] = true;
        // A block scalar header (`key: |`, `- >-`) ends the line: its content follows, indented.
        const tail = text.slice(Math.max(0, i - 4), i).trimEnd();
        if (flow === 0 && /(^|[\s:-])[|>][-+0-9]*$/.test(tail) && lastNonSpace !== "")
            blockScalarIndent = block[block.length - 1];
        i = text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i) + 1;
    }
    return max;
}

/** A YAML field read within the limits by {@link readBoundedYaml}. */
export type BoundedYaml =
    /** Over a limit: the problems, each naming the field. The value was not built. */
    | { kind: "over-limit"; problems: string[] }
    /** Not valid YAML; only the line is kept (parser messages quote the text, which may be secret). */
    | { kind: "invalid"; line?: number }
    /** Within the limits: the document as JavaScript values. */
    | { kind: "parsed"; value: unknown };

/**
 * Reads a YAML string field within the limits, parsing it once: size, nesting depth (a linear
 * scan before the parser sees the text, erring towards counting more levels, never fewer), then
 * one parse, the alias count and the conversion to JavaScript with alias expansion bounded. A
 * text in plain block style is read by `block-yaml.ts` before the depth scan; any other without
 * aliases by `fast-yaml.ts`; one they refuse is parsed again by `yaml`, so an invalid document gets
 * the same verdict and line as before. All three give `yaml`'s values.
 * `field` names the field in each message (`userKubeconfig`, `tenant.alertmanagerConfig`).
 *
 * `unread`: lines whose value the caller does not read, so the fast parser need not read it
 * either. Each match's first group is kept and the rest of the match becomes `x`; it must only
 * match a whole line ending in a plain scalar of word characters (which no replacement can turn
 * into structure). Lines keep their numbers, and `yaml`, when it has to read the text, reads it whole.
 */
export function readBoundedYaml(field: string, text: string, unread?: RegExp): BoundedYaml {
    const over = (problem: string): BoundedYaml => ({ kind: "over-limit", problems: [`${field} ${problem}`] });
    if (text.length > INPUT_LIMITS.maxStringLength)
        return over(`is longer than ${INPUT_LIMITS.maxStringLength} characters`);
    // The plain block style of every real kubeconfig, read in one pass. Its nesting is bounded at
    // half the limit, so what it reads is well within the depth scan's count too; deeper texts, and
    // any other style, take the path below.
    const block = readBlockYaml(text, INPUT_LIMITS.maxDepth / 2);
    if (block) return { kind: "parsed", value: block.value };
    if (yamlDepth(text, INPUT_LIMITS.maxDepth) > INPUT_LIMITS.maxDepth)
        return over(`nests deeper than ${INPUT_LIMITS.maxDepth} levels`);
    const tooMany = () => over(`has more than ${INPUT_LIMITS.maxAliases} YAML aliases or expands them too far`);
    // Every alias starts with `*`: a text without one (every real kubeconfig) has none to count or
    // expand, and is read once by the faster parser; what it refuses goes to `yaml` for its verdict.
    const aliasFree = !text.includes("*");
    const fast = aliasFree ? loadWithoutAliases(unread ? text.replace(unread, "$1x") : text) : undefined;
    if (fast) return { kind: "parsed", value: fast.value };
    // Parsing resolves no alias; only converting to JS expands them, which the `yaml` library
    // bounds with `maxAliasCount` (it counts the nodes each alias would copy).
    // The depth scan counts every construct known to nest in `yaml`'s parser; a stack overflow
    // from one it misses, in the parser or the alias count's walk, is still a 400 naming the
    // field, never an error escaping the request.
    let aliases = 0;
    let parsed: ReturnType<typeof parseUntilFirstError>;
    try {
        parsed = parseUntilFirstError(text, { uniqueKeys: false });
        if ("doc" in parsed && !aliasFree)
            visit(parsed.doc, {
                Alias: (_key, node) => {
                    if (isAlias(node)) aliases++;
                    return aliases > INPUT_LIMITS.maxAliases ? visit.BREAK : undefined;
                },
            });
    } catch (e) {
        if (e instanceof RangeError) return over("could not be read as YAML within the limits");
        throw e;
    }
    if (aliases > INPUT_LIMITS.maxAliases) return tooMany();
    if ("errorLine" in parsed) return { kind: "invalid", line: parsed.errorLine };
    const { doc } = parsed;
    try {
        return { kind: "parsed", value: doc.toJS({ maxAliasCount: INPUT_LIMITS.maxAliases }) };
    } catch (e) {
        if (e instanceof ReferenceError && /alias/i.test(e.message)) return tooMany();
        return over("could not be read as YAML within the limits");
    }
}

/**
 * Problems with a YAML string field against the limits of {@link readBoundedYaml}; empty when
 * within them (syntax errors are the field's own checks' to report).
 */
export function yamlLimitProblems(field: string, text: string): string[] {
    const read = readBoundedYaml(field, text);
    return read.kind === "over-limit" ? read.problems : [];
}
