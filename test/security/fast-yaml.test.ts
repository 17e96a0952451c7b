/**
 * The fast YAML reader (`service/input/fast-yaml.ts`) reads what the `yaml` library reads: on
 * generated documents without aliases, whatever it accepts `yaml` accepts too, with the same
 * value; a real kubeconfig takes the fast path.
 */
import { expect } from "chai";
import fc from "fast-check";
import { parseDocument, stringify } from "yaml";
import { loadWithoutAliases } from "../../service/input/fast-yaml";
import { kubeconfig } from "../server/support";
import { expectYamlReadsAs } from "../support/yaml-agreement";

/** Asserts that the fast reader, when it reads `text`, agrees with `yaml`. */
function agrees(text: string): void {
    fc.pre(!text.includes("*"));
    const fast = loadWithoutAliases(text);
    if (!fast) return;
    expectYamlReadsAs(text, fast.value);
}

const TOKENS = ["[", "]", "{", "}", "-", " ", "\n", ":", "'", '"', "|", ">", "#", "a", "1", "0x", "0o", "."];
const MORE_TOKENS = ["e", "?", ",", "!", "&", "%", "@", "\t", "~", "null", "true", "No", "+", "_", "0b1", ".inf"];
const LINES = ["\n", "\n  ", "\n    ", "- ", "a: ", "name: ", "server: ", " ", "x y", "'q'", '"d\\n"', "{", "}"];
const MORE_LINES = ["[", "]", ", ", "|-", ">", "# c", "0x1F", "0o7", "null", "~", "true", "1e3", ".5", ":", '"', "'"];

describe("fast YAML reader", function () {
    this.timeout(120_000);

    it("agrees with `yaml` on every generated text it reads (tokens)", () => {
        fc.assert(fc.property(fc.string({ maxLength: 60, unit: fc.constantFrom(...TOKENS, ...MORE_TOKENS) }), agrees), {
            numRuns: 20_000,
        });
    });

    it("agrees with `yaml` on every generated text it reads (lines and indentation)", () => {
        fc.assert(fc.property(fc.string({ maxLength: 40, unit: fc.constantFrom(...LINES, ...MORE_LINES) }), agrees), {
            numRuns: 20_000,
        });
    });

    it("agrees with `yaml` on JSON values written in every style", () => {
        const styles = [
            {},
            { collectionStyle: "flow" as const },
            { indent: 4 },
            { defaultStringType: "QUOTE_SINGLE" as const },
            { defaultStringType: "BLOCK_LITERAL" as const },
        ];
        fc.assert(
            fc.property(fc.jsonValue(), fc.constantFrom(...styles), (value, style) => agrees(stringify(value, style))),
            { numRuns: 3_000 },
        );
    });

    it("leaves to `yaml` an empty or null key right after a flow collection opens or a comma (found by the generator)", () => {
        // js-yaml makes each key "null"; `yaml`, which reads them instead, makes it "".
        for (const text of ["[:[]]", "[: []]", "{:[]}", "[a,:[]]", "[~:[]]", "[ :{}]", "[null:[]]", "{a: 1, :{}}"]) {
            expect(loadWithoutAliases(text), JSON.stringify(text)).to.equal(undefined);
            const doc = parseDocument(text, { uniqueKeys: false });
            expect(doc.errors, JSON.stringify(text)).to.deep.equal([]);
            expect(JSON.stringify(doc.toJS()), JSON.stringify(text)).to.include('"":');
        }
    });

    it("resolves plain scalars as `yaml`'s core schema does", () => {
        const text = "a: 0b11\nb: 0o17\nc: 0x1F\nd: +1\ne: 2001-12-14\nf: ~\ng: .inf\nh: yes\ni: 1e3\n<<: x\n";
        const fast = loadWithoutAliases(text);
        expect(fast?.value).to.deep.equal({
            a: "0b11",
            b: 15,
            c: 31,
            d: 1,
            e: "2001-12-14",
            f: null,
            g: Infinity,
            h: "yes",
            i: 1000,
            "<<": "x",
        });
        agrees(text);
    });

    it("reads a real kubeconfig on the fast path, and leaves anchors, tags and flow over lines to `yaml`", () => {
        expect(loadWithoutAliases(kubeconfig("t0ken"))).to.not.equal(undefined);
        for (const text of ["a: &x 1\n", "a: !!str 1\n", "a: [\n  1]\n", "a: |\n  x\n", "---\na: 1\n---\nb: 2\n"])
            expect(loadWithoutAliases(text), text).to.equal(undefined);
    });
});
