/**
 * A fast reader for YAML request fields without aliases: js-yaml (the parser
 * `@kubernetes/client-node` reads kubeconfigs with), about five times faster than the `yaml`
 * library's document model on a kubeconfig, with a schema that resolves plain scalars exactly as
 * `yaml`'s default (YAML 1.2 core) schema does: no timestamps, no binary, no merge keys, `0b1` a
 * string, `0o7` an integer; duplicate keys are accepted, the last one winning, as `yaml` does
 * with `uniqueKeys: false`.
 *
 * The two parsers differ on some unusual syntax (see {@link uncommon}); a text with any of it, or
 * one js-yaml refuses, returns undefined and `yaml` reads it. On the rest, whatever this reads
 * `yaml` reads too, with the same value: test/security/fast-yaml.test.ts compares them on
 * generated documents (and 2 million more were compared while writing this). Only
 * `bounded-input.ts` calls it, after the size and depth limits, for a text without aliases.
 */
import { FAILSAFE_SCHEMA, load, Type } from "js-yaml";
import { CORE_SCALARS, type CoreScalar } from "./core-scalars";

/** A plain-scalar type of the core schema as js-yaml sees it: `yaml`'s patterns, in order, each with its value. */
const scalar = ({ tag, forms }: CoreScalar) =>
    new Type(`tag:yaml.org,2002:${tag}`, {
        kind: "scalar",
        resolve: (text: string) => forms.some(([pattern]) => pattern.test(text)),
        construct: (text: string) => forms.find(([pattern]) => pattern.test(text))![1](text),
    });

/** `yaml`'s core schema (`core-scalars.ts`). */
const CORE_AS_YAML = FAILSAFE_SCHEMA.extend({ implicit: CORE_SCALARS.map(scalar) });

const UNCOMMON_CHARS = /[\t!?%&|>]/; // tabs, tags, complex keys, directives, anchors, block scalars
const MARKERS = /^(?:---|\.\.\.)/m;
const COMMENT_AFTER_TOKEN = /\S#/;
/** A line with an odd number of `"` or `'`: a quoted scalar over several lines. */
const OPEN_QUOTES = [/^[^"\n]*"(?:[^"\n]*"[^"\n]*")*[^"\n]*$/m, /^[^'\n]*'(?:[^'\n]*'[^'\n]*')*[^'\n]*$/m];
/** A collection as a key, text right after a flow collection, a flow collection over lines. */
const ODD_FLOW = /[\]}]\s*:|[{,]\s*[[{]|[\]}][^\s,\]}:]|[[{][^\]}\n]*$/m;
/**
 * An empty sequence entry, a null key (`~:`, `: x`), a null key without a value in a flow mapping,
 * and an empty or null key right after a flow collection opens or a comma, whatever follows its
 * `:` (`[:[]]`, `{~:{}}`: `yaml` makes the key "", js-yaml "null").
 */
const NULLS =
    /(?:^|\s)-[ ]*(?:#.*)?$|(?:^|[\s{,[])(?:~|[Nn]ull|NULL)?:(?=[\s,\]}]|$)|[{,]\s*(?:~|[Nn]ull|NULL)\s*[,}]|[{,[]\s*(?:~|[Nn]ull|NULL)?\s*:/m;

/**
 * Whether `text` has syntax js-yaml and `yaml` read differently (found by comparing them on
 * generated documents): tabs, tags, anchors, complex keys, directives, document markers, a comment
 * right after a token (`"a"#`), block scalars, quoted scalars over lines, flow collections over
 * lines or as keys, empty sequence entries and null keys (`~:`, which `yaml` makes ""). A real
 * kubeconfig has none. Each pattern is only scanned when its characters occur.
 */
function uncommon(text: string): boolean {
    return (
        UNCOMMON_CHARS.test(text) ||
        ((text.includes("---") || text.includes("...")) && MARKERS.test(text)) ||
        (text.includes("#") && COMMENT_AFTER_TOKEN.test(text)) ||
        ((text.includes('"') || text.includes("'")) && OPEN_QUOTES.some((r) => r.test(text))) ||
        (/[[\]{}]/.test(text) && ODD_FLOW.test(text)) ||
        NULLS.test(text)
    );
}

/**
 * The document in `text` as JavaScript values, or undefined when it is not read here (a syntax
 * error, or anything {@link uncommon}): `yaml` then reads it. Call it only on text within the
 * limits and without a `*` (no aliases).
 */
export function loadWithoutAliases(text: string): { value: unknown } | undefined {
    if (uncommon(text)) return undefined;
    try {
        return { value: load(text, { schema: CORE_AS_YAML, json: true }) };
    } catch {
        return undefined;
    }
}
