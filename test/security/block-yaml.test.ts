/**
 * The block-style reader (`service/input/block-yaml.ts`) reads what the `yaml` library reads:
 * whatever it accepts, `yaml` accepts with no error and the same value. The texts are generated
 * line by line from the pieces block style is made of, including the ones it must leave alone,
 * and mutated from real kubeconfigs a character at a time. Each generator also has to reach the
 * reader often, so the comparison is not vacuous.
 */
import { expect } from "chai";
import fc from "fast-check";
import { readBlockYaml } from "../../service/input/block-yaml";
import { readBoundedYaml } from "../../service/input/bounded-input";
import { kubeconfig } from "../server/support";
import { expectYamlReadsAs } from "../support/yaml-agreement";

/** Asserts that the block reader, when it reads `text`, agrees with `yaml`; returns whether it read it. */
function agrees(text: string): boolean {
    const block = readBlockYaml(text, 32);
    if (!block) return false;
    expectYamlReadsAs(text, block.value);
    expect(Object.getPrototypeOf(block.value), JSON.stringify(text)).to.equal(Object.prototype);
    return true;
}

/** Runs `agrees` on every generated text and checks that at least `share` of them were read. */
function compare(texts: fc.Arbitrary<string>, numRuns: number, share: number): void {
    let read = 0;
    fc.assert(
        fc.property(texts, (text) => {
            if (agrees(text)) read++;
        }),
        { numRuns },
    );
    expect(read / numRuns, "share of texts the block reader read").to.be.greaterThan(share);
}

const NAMES = ["a", "name", "b", "server", "a/b.c", "x_1", "kind"];
const ODD_KEYS = [
    "k".repeat(1024),
    "k".repeat(1025),
    "__proto__",
    "1",
    "null",
    "~",
    "true",
    "'q'",
    "a b",
    ".a",
    "-a",
    "<<",
    "a :",
    "? a",
    "a#b",
];
const VALUES = [
    "x",
    "v1",
    "0x1F",
    "0o7",
    "1e3",
    ".5",
    ".inf",
    "~",
    "null",
    "True",
    "https://h:6443",
    "x y",
    "a#b",
    "-1",
];
const ODD_VALUES = [
    " #c",
    "#c",
    "x #c",
    "a: b",
    "'q'",
    "'it''s'",
    '"d"',
    '"e\\n"',
    '"a"b',
    "{ a: b, c: 1 }",
    "{a:b}",
    "[a, 2]",
    "--f",
];
const MORE_VALUES = [
    "[]",
    "{}",
    "[a,]",
    "[[a]]",
    "{ a: }",
    "a: b",
    "a:",
    "|",
    ">-",
    "&x y",
    "*x",
    "!t",
    "%",
    "@",
    "-",
    "- x",
];

/** Mostly one of `common`, now and then one of `odd`. */
const mostly = (common: string[], odd: string[]) =>
    fc.oneof({ arbitrary: fc.constantFrom(...common), weight: 8 }, { arbitrary: fc.constantFrom(...odd), weight: 1 });

/** A block-style document: keys, scalars, mappings and sequences, nested, rendered as text. */
type Node = string | { map: Array<[string, Node]> } | { seq: Node[] };
const { node } = fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        mostly(VALUES, [...ODD_VALUES, ...MORE_VALUES]),
        fc.record({ map: fc.array(fc.tuple(mostly(NAMES, ODD_KEYS), tie("node")), { minLength: 1, maxLength: 4 }) }),
        fc.record({ seq: fc.array(tie("node"), { minLength: 1, maxLength: 3 }) }),
    ),
}));

/** Lines of `n` at column `col`, `step` deeper per level; `sameColumn`: a key's sequence at the key's column. */
function render(n: Node, col: number, step: number, sameColumn: boolean): string[] {
    const pad = " ".repeat(col);
    if (typeof n === "string") return [`${pad}${n}`];
    if ("map" in n)
        return n.map.flatMap(([k, v]) => {
            if (typeof v === "string") return [`${pad}${k}: ${v}`];
            const inner = "seq" in v && sameColumn ? col : col + step;
            return [`${pad}${k}:`, ...render(v, inner, step, sameColumn)];
        });
    return n.seq.flatMap((v) => {
        if (typeof v === "string") return [`${pad}- ${v}`];
        // A mapping's first entry on the `- ` line, the rest at its column.
        const lines = render(v, col + 2, step, sameColumn);
        return "map" in v ? [`${pad}- ${lines[0].trimStart()}`, ...lines.slice(1)] : [`${pad}-`, ...lines];
    });
}

const documents = fc
    .tuple(
        fc.array(fc.tuple(mostly(NAMES, ODD_KEYS), node), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(2, 2, 4, 1, 3),
        fc.boolean(),
        fc.constantFrom("", "\n", "\n# c\n", "\n\n"),
    )
    .map(([entries, step, sameColumn, end]) => render({ map: entries }, 0, step, sameColumn).join("\n") + end);

/** Kubeconfigs as kubectl writes them, and as the tests and the benchmark write them. */
const KUBECONFIGS = [
    kubeconfig("t0ken", "https://10.0.0.1:6443", "Q0EgZGF0YQ=="),
    [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=",
        "    server: https://api.example.com:6443",
        "  name: prod",
        "contexts:",
        "- context:",
        "    cluster: prod",
        "    namespace: default",
        "    user: admin",
        "  name: prod",
        "current-context: prod",
        "kind: Config",
        "preferences: {}",
        "users:",
        "- name: admin",
        "  user:",
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1beta1",
        "      args:",
        "      - token",
        "      - --cluster-id",
        '      - "prod"',
        "      command: aws-iam-authenticator",
        "      env: null",
        "      provideClusterInfo: false",
        "",
    ].join("\n"),
];
const MUTATIONS = [" ", "  ", "-", ":", "#", "'", '"', "[", "]", "{", "}", ",", "\n", "\n  ", "\t", "&", "*", "!", "|"];

/** A kubeconfig with a few characters inserted, removed or replaced. */
const mutated = fc
    .tuple(
        fc.constantFrom(...KUBECONFIGS),
        fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom(...MUTATIONS)), { minLength: 1, maxLength: 3 }),
    )
    .map(([text, edits]) =>
        edits.reduce((t, [at, kind, piece]) => {
            const i = at % (t.length + 1);
            return kind === 0
                ? t.slice(0, i) + piece + t.slice(i)
                : t.slice(0, i) + (kind === 1 ? "" : piece) + t.slice(i + 1);
        }, text),
    );

describe("block-style YAML reader", function () {
    this.timeout(120_000);

    it("agrees with `yaml` on every generated block-style document it reads", () => {
        compare(documents, 20_000, 0.1);
    });

    it("agrees with `yaml` on every mutated kubeconfig it reads", () => {
        compare(mutated, 20_000, 0.2);
    });

    it("reads kubeconfigs as kubectl and the benchmark write them, as `yaml` does", () => {
        for (const text of KUBECONFIGS) expect(agrees(text), text).to.equal(true);
    });

    it("leaves every other style to the other readers", () => {
        const others = [
            "- a\n", // a sequence at the top
            "a: 1\n  b: 2\n", // indentation under a value
            "a: b #c\n", // a comment after a value
            "a: |\n  x\n", // a block scalar
            "a: &x 1\nb: *x\n", // an anchor and an alias
            "a: !!str 1\n", // a tag
            "---\na: 1\n", // a document marker
            "a: 'it''s'\n", // an escaped quote
            'a: "x\\ny"\n', // an escape
            "a: [1,\n  2]\n", // a flow collection over lines
            "a:\n-\n  b\n", // an entry on the next line
            "__proto__: x\n", // a key that would set the prototype
            "1: x\n", // a key that is not a string
            "a:\tb\n", // a tab
            "a: é\n", // non-ASCII
            `${"k".repeat(1025)}: v\n`, // a key longer than `yaml` allows (found by a review's fuzzer)
        ];
        for (const text of others) expect(readBlockYaml(text, 32), JSON.stringify(text)).to.equal(undefined);
    });

    it("leaves nesting deeper than asked to the depth scan, which still refuses past the limit", () => {
        const nested = (levels: number) =>
            Array.from({ length: levels }, (_, i) => `${" ".repeat(2 * i)}k${i}:`).join("\n") + " x\n";
        expect(readBlockYaml(nested(32), 32)).to.not.equal(undefined);
        expect(readBlockYaml(nested(33), 32)).to.equal(undefined);
        expect(readBoundedYaml("f", nested(40)).kind).to.equal("parsed");
        expect(readBoundedYaml("f", nested(80))).to.deep.equal({
            kind: "over-limit",
            problems: ["f nests deeper than 64 levels"],
        });
    });
});
