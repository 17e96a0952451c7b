/**
 * Bounded parsing: every YAML or JSON field of a request is measured before it is parsed. The
 * limits' own checks, on tables and generated documents; `bounded-input-http.test.ts` sends the
 * same attacks over HTTP.
 */
import { expect } from "chai";
import fc from "fast-check";
import { stringify } from "yaml";
import { INPUT_LIMITS, readBoundedYaml, yamlLimitProblems } from "../../service/input/bounded-input";
import { jsonLimitProblems } from "../../service/input/json-limits";
import { alertmanagerConfigProblems } from "../../spec/checks/alertmanager-config";
import { body, kubeconfig } from "../server/support";
import {
    ALIAS_BOMB,
    FIVE_MIB,
    flowKeys,
    nestedBlock,
    nestedCompact,
    nestedFlow,
    nestedJson,
} from "../support/hostile-input";

describe("bounded parsing of request fields", function () {
    this.timeout(30_000);

    describe("yamlLimitProblems", () => {
        const cases: Array<[string, string, string[]]> = [
            ["a real kubeconfig", kubeconfig("t0ken"), []],
            [
                "an Alertmanager config with templates in block and quoted scalars",
                "route:\n  receiver: ops\nreceivers:\n  - name: ops\n    slack_configs:\n      - title: '{{ template \"x\" . }}[[[['\n        text: |\n          {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\n",
                [],
            ],
            ["a plain scalar full of brackets", `k: a${"[".repeat(200)}\n`, []],
            ["a few anchors and aliases", "x: &x {a: 1}\ny: *x\nz: [*x, *x]\n", []],
            ["the alias bomb", ALIAS_BOMB, ["f has more than 100 YAML aliases or expands them too far"]],
            ["1,000 nested flow sequences", nestedFlow(1000), ["f nests deeper than 64 levels"]],
            [
                "10,000 nested flow mappings",
                `a: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}`,
                ["f nests deeper than 64 levels"],
            ],
            ["200 nested block mappings", nestedBlock(200), ["f nests deeper than 64 levels"]],
            ["100,000 compact nested sequences", nestedCompact(100_000), ["f nests deeper than 64 levels"]],
            ["60 nested flow sequences", nestedFlow(60), []],
            ["3,000 implicit keys in one flow mapping", flowKeys("{", 3000), ["f nests deeper than 64 levels"]],
            ["3,000 implicit keys in one flow sequence", flowKeys("[", 3000), ["f nests deeper than 64 levels"]],
            [
                "3,000 keys without values in one flow mapping",
                flowKeys("{", 3000, "k: "),
                ["f nests deeper than 64 levels"],
            ],
            [
                "3,000 implicit keys in a flow mapping over lines",
                flowKeys("{", 3000, "k: v\n"),
                ["f nests deeper than 64 levels"],
            ],
            ["60 implicit keys in one flow mapping", flowKeys("{", 60), []],
            ["a flow mapping of 3,000 entries", `a: {${"k: v, ".repeat(3000)}}\n`, []],
            ["a 5 MiB string", "x".repeat(FIVE_MIB), ["f is longer than 262144 characters"]],
        ];
        for (const [what, text, expected] of cases) {
            it(`${expected.length === 0 ? "accepts" : "refuses"} ${what}`, () => {
                const started = Date.now();
                expect(yamlLimitProblems("f", text)).to.deep.equal(expected);
                expect(Date.now() - started, "a linear scan, not a parse").to.be.below(2000);
            });
        }
    });

    describe("yamlLimitProblems on generated documents (property-based)", () => {
        /** A value nested exactly `depth` levels, alternating maps and lists as generated. */
        const nested = (depth: number) =>
            fc
                .array(fc.constantFrom("map", "list"), { minLength: depth, maxLength: depth })
                .chain((kinds) =>
                    fc
                        .tuple(
                            fc.string({ maxLength: 8 }),
                            fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.boolean()),
                        )
                        .map(([key, leaf]) =>
                            kinds.reduce<unknown>(
                                (inner, kind) => (kind === "map" ? { [key || "k"]: inner } : [inner]),
                                leaf,
                            ),
                        ),
                );
        const styles = [{}, { collectionStyle: "flow" as const }, { indent: 4 }, { indentSeq: false }];

        it("never throws, and answers quickly, whatever the text", () => {
            fc.assert(
                fc.property(
                    fc.string({
                        maxLength: 2000,
                        unit: fc.constantFrom(
                            "[",
                            "]",
                            "{",
                            "}",
                            "-",
                            " ",
                            "\n",
                            ":",
                            "'",
                            '"',
                            "|",
                            "#",
                            "a",
                            "*",
                            "&",
                            "?",
                            ",",
                        ),
                    }),
                    (text) => {
                        const started = Date.now();
                        expect(yamlLimitProblems("f", text)).to.be.an("array");
                        expect(Date.now() - started).to.be.below(1000);
                    },
                ),
                { numRuns: 300 },
            );
        });

        it("never throws on a short piece repeated to 15 KB, with or without a collection around it", () => {
            // Long repetitions are what overflow a recursive parser; random texts of 2,000
            // characters never reached the 3,000 implicit keys that once escaped as a RangeError.
            const piece = fc.string({
                minLength: 1,
                maxLength: 4,
                unit: fc.constantFrom("k", ":", " ", "\n", "-", "[", "{", ",", "?", "'", "#", "&a", "v"),
            });
            fc.assert(
                fc.property(
                    fc.constantFrom("", "{", "a: {", "[", "- "),
                    piece,
                    fc.constantFrom("", "}", "]"),
                    (open, unit, close) => {
                        const text = `${open}${unit.repeat(Math.ceil(15_000 / unit.length))}${close}`;
                        const started = Date.now();
                        expect(yamlLimitProblems("f", text)).to.be.an("array");
                        expect(Date.now() - started).to.be.below(2000);
                    },
                ),
                { numRuns: 40 },
            );
        });

        it("stops at the first error: 80 KB of one error per character take well under 5 s, not 25", () => {
            // `[,-,-,…`: 1.5 errors per character, each formatted with a slice of its line by
            // `parseDocument`, so the time grew with the square of the length (25 s at 80 KB).
            const text = `[${",-".repeat(40_000)}`;
            for (const check of [
                () => expect(readBoundedYaml("f", text)).to.deep.equal({ kind: "invalid", line: 1 }),
                () =>
                    expect(alertmanagerConfigProblems(text)).to.deep.equal([
                        "alertmanagerConfig is not valid YAML (line 1)",
                    ]),
            ]) {
                const started = Date.now();
                check();
                expect(Date.now() - started).to.be.below(5000);
            }
        });

        it("accepts real nesting up to 30 levels in every output style (no false alarm)", () => {
            fc.assert(
                fc.property(
                    fc.integer({ min: 1, max: 30 }).chain(nested),
                    fc.constantFrom(...styles),
                    (value, style) => {
                        expect(yamlLimitProblems("f", stringify(value, style))).to.deep.equal([]);
                    },
                ),
                { numRuns: 200 },
            );
        });

        it('counts flow nesting whose plain keys hold a quote (`-"`), which once hid 70 levels', () => {
            let doc: unknown = [false];
            for (let i = 0; i < 70; i++) doc = i % 2 === 0 ? { '-"': doc } : [doc];
            const text = stringify(doc, { collectionStyle: "flow" });
            expect(text).to.include('-"');
            expect(yamlLimitProblems("f", text)).to.deep.equal([`f nests deeper than ${INPUT_LIMITS.maxDepth} levels`]);
        });

        it("does not count a `:` inside a flow key (`:#`) as an implicit key (a false alarm the generator found)", () => {
            let doc: unknown = false;
            for (let i = 0; i < 30; i++) doc = i % 3 === 2 ? [doc] : { ":#": doc };
            const text = stringify(doc, { collectionStyle: "flow" });
            expect(text).to.include(":#:");
            expect(yamlLimitProblems("f", text)).to.deep.equal([]);
        });

        it("refuses real nesting beyond the limit in every output style (no miss)", () => {
            fc.assert(
                fc.property(
                    fc.integer({ min: INPUT_LIMITS.maxDepth + 1, max: 150 }).chain(nested),
                    fc.constantFrom(...styles),
                    (value, style) => {
                        const text = stringify(value, style);
                        fc.pre(text.length <= INPUT_LIMITS.maxStringLength);
                        expect(yamlLimitProblems("f", text)).to.deep.equal(["f nests deeper than 64 levels"]);
                    },
                ),
                { numRuns: 60 },
            );
        });
    });

    describe("jsonLimitProblems", () => {
        it("names the path where a value nests too deep, and each string that is too long", () => {
            expect(jsonLimitProblems({ monitoring: { customScrapeConfigs: [nestedJson(1000)] } })).to.deep.equal([
                "body/monitoring/customScrapeConfigs/0 nests deeper than 64 levels",
            ]);
            expect(
                jsonLimitProblems({
                    tenant: {
                        metricRuleGroups: [
                            { name: "g", rules: [{ expr: "y".repeat(INPUT_LIMITS.maxStringLength + 1) }] },
                        ],
                    },
                }),
            ).to.deep.equal(["body/tenant/metricRuleGroups/0/rules/0/expr is longer than 262144 characters"]);
            expect(jsonLimitProblems(body())).to.deep.equal([]);
        });
    });
});
