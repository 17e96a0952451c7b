/**
 * How YAML 1.2's core schema, as the `yaml` library implements it (`yaml/dist/schema/core/*.js`),
 * resolves a plain scalar: the same patterns, tried in the same order, each with its value. Both
 * fast readers (`fast-yaml.ts` through js-yaml, `block-yaml.ts` on its own) resolve with this one
 * list, so they cannot drift apart.
 */

/** A core-schema type: its tag and its forms, each a pattern and the value of a text it matches. */
export interface CoreScalar {
    tag: "null" | "bool" | "int" | "float";
    forms: Array<[RegExp, (text: string) => unknown]>;
}

/** The core schema's plain-scalar types other than `str`, in `yaml`'s order. */
export const CORE_SCALARS: readonly CoreScalar[] = [
    { tag: "null", forms: [[/^(?:~|[Nn]ull|NULL)?$/, () => null]] },
    { tag: "bool", forms: [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (t) => t[0] === "t" || t[0] === "T"]] },
    {
        tag: "int",
        forms: [
            [/^0o[0-7]+$/, (t) => parseInt(t.slice(2), 8)],
            [/^[-+]?[0-9]+$/, (t) => parseInt(t, 10)],
            [/^0x[0-9a-fA-F]+$/, (t) => parseInt(t.slice(2), 16)],
        ],
    },
    {
        tag: "float",
        forms: [
            [
                /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
                (t) => (/nan/i.test(t) ? NaN : t.startsWith("-") ? -Infinity : Infinity),
            ],
            [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (t) => parseFloat(t)],
            [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (t) => parseFloat(t)],
        ],
    },
];

/**
 * Characters a plain scalar other than a string can start with (or be empty): `~`, `n`/`N`, `t`/`T`,
 * `f`/`F`, a digit, a sign or a dot. Any other text is a string without trying the patterns.
 */
const MAY_RESOLVE = /^(?:[~nNtTfF0-9+.-]|$)/;

/** The value of plain scalar `text` under the core schema: null, a boolean, a number or the text itself. */
export function resolveCoreScalar(text: string): unknown {
    if (!MAY_RESOLVE.test(text)) return text;
    for (const { forms } of CORE_SCALARS)
        for (const [pattern, value] of forms) if (pattern.test(text)) return value(text);
    return text;
}
