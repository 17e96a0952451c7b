/**
 * The check both fast YAML readers are held to: `yaml` reads the same text with no error and the
 * same value.
 */
import { expect } from "chai";
import { parseDocument } from "yaml";

/** JSON with non-finite numbers spelled out, so `.inf` and `.nan` compare too. */
const canonical = (value: unknown) =>
    JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? `${v}` : v));

/** Asserts that `yaml` (duplicate keys allowed, the last winning) reads `text` without error as `value`. */
export function expectYamlReadsAs(text: string, value: unknown): void {
    const doc = parseDocument(text, { uniqueKeys: false });
    expect(
        doc.errors.map((e) => e.message),
        JSON.stringify(text),
    ).to.deep.equal([]);
    expect(canonical(value), JSON.stringify(text)).to.equal(canonical(doc.toJS()));
}
