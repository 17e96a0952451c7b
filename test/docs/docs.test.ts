import { expect } from "chai";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { anchorsOf, brokenLinks, headingSlug, linksOf } from "./markdown-links";

const ROOT = join(__dirname, "..", "..");

function markdownFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith(".md") ? [path] : [];
    });
}

const DOCS = [
    join(ROOT, "README.md"),
    join(ROOT, "CONTRIBUTING.md"),
    ...markdownFiles(join(ROOT, "bench")),
    ...markdownFiles(join(ROOT, "docs")),
];

describe("documentation", () => {
    describe("the link checker", () => {
        it("slugs headings as GitHub does", () => {
            expect(headingSlug("The MLA gateway")).to.equal("the-mla-gateway");
            expect(headingSlug("`mla render gateway`")).to.equal("mla-render-gateway");
            expect(headingSlug("PKI (ClusterPki, mla:cluster:Pki)")).to.equal("pki-clusterpki-mlaclusterpki");
        });

        it("numbers repeated headings and ignores headings in code fences", () => {
            const anchors = anchorsOf("# Tests\n## Tests\n```\n# not a heading\n```\n");
            expect([...anchors]).to.deep.equal(["tests", "tests-1"]);
        });

        it("finds relative links but not URLs or inline code", () => {
            const text = "[a](docs/x.md) [b](https://example.com) `[c](y.md)` [d](#here)\n```\n[e](z.md)\n```";
            expect(linksOf(text)).to.deep.equal(["docs/x.md", "#here"]);
        });

        it("reports a missing file and a missing heading", () => {
            const broken = brokenLinks(join(__dirname, "fixtures", "broken.md"));
            expect(broken.map((b) => b.link)).to.deep.equal(["missing.md", "#nowhere", "broken.md#nowhere"]);
        });
    });

    it("keeps the README within 10 KiB", () => {
        expect(statSync(join(ROOT, "README.md")).size).to.be.at.most(10_240);
    });

    for (const file of DOCS) {
        it(`resolves every link in ${file.slice(ROOT.length + 1)}`, () => {
            expect(brokenLinks(file)).to.deep.equal([]);
        });
    }
});
