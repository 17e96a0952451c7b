import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { renderMergerScript, type MergerScriptArgs } from "../../components/seed/overrides-merger-script";

const ARGS: MergerScriptArgs = {
    namespace: "mla",
    selector: "mla.k8c.io/overrides=cortex",
    fragmentKey: "overrides.yaml",
    targetConfigMap: "cortex-runtime-config",
    targetKey: "runtime_config.yaml",
    intervalSeconds: 30,
};

/**
 * A stand-in for kubectl that serves fragment ConfigMaps from `$FAKE_DIR/fragments/<name>` (listed
 * in reverse order, to prove the script sorts), the target from `$FAKE_DIR/target`, applies merge
 * patches to the target, and logs every call.
 */
const FAKE_KUBECTL = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const dir = process.env.FAKE_DIR, args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.log"), args.join(" ") + "\\n");
if (fs.existsSync(path.join(dir, "fail"))) { process.stderr.write("connection refused\\n"); process.exit(1); }
const frag = path.join(dir, "fragments"), target = path.join(dir, "target");
if (args[0] === "get" && args[1] === "configmaps") {
  const names = fs.readdirSync(frag).sort().reverse();
  process.stdout.write(names.map((n) => n + "\\n").join(""));
} else if (args[0] === "get" && args[1] === "configmap") {
  const name = args[4];
  if (name === "${ARGS.targetConfigMap}") process.stdout.write(fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "");
  else process.stdout.write(fs.readFileSync(path.join(frag, name), "utf8"));
} else if (args[0] === "patch") {
  const file = args[args.indexOf("--patch-file") + 1];
  const { parse } = require(${JSON.stringify(resolve("node_modules/yaml"))});
  const patch = parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(target, patch.data["${ARGS.targetKey}"]);
  fs.appendFileSync(path.join(dir, "patches.log"), "patched\\n");
} else { process.stderr.write("fake kubectl: unexpected " + args.join(" ") + "\\n"); process.exit(3); }
`;

const TENANT_A = "  cluster-a:\n    ingestion_rate: 10000\n    ingestion_burst_size: 20000\n";
const TENANT_B = "  cluster-b:\n    ingestion_rate: 500\n";

describe("overrides merger script (real sh, fake kubectl)", () => {
    let dir: string;
    let script: string;

    before(() => {
        const sh = spawnSync("sh", ["-c", "command -v sed grep sort"], { encoding: "utf8" });
        if (sh.status !== 0) throw new Error("sh with sed, grep and sort is required (Debian packages dash, sed, grep, coreutils)");
    });
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "mla-merger-"));
        mkdirSync(join(dir, "bin"));
        mkdirSync(join(dir, "fragments"));
        writeFileSync(join(dir, "bin", "kubectl"), FAKE_KUBECTL);
        chmodSync(join(dir, "bin", "kubectl"), 0o755);
        script = join(dir, "merge.sh");
        writeFileSync(script, renderMergerScript(ARGS));
        writeFileSync(join(dir, "target"), "overrides: {}\n");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    function fragment(name: string, text: string | undefined): void {
        const file = join(dir, "fragments", name);
        if (text === undefined) unlinkSync(file);
        else writeFileSync(file, text);
    }
    function runOnce() {
        const r = spawnSync("sh", [script], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, FAKE_DIR: dir, MLA_MERGER_ONCE: "1", TMPDIR: dir },
        });
        return { status: r.status, stderr: r.stderr, target: readFileSync(join(dir, "target"), "utf8") };
    }
    function patchCount(): number {
        const log = join(dir, "patches.log");
        return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0;
    }

    it("merges two tenants' fragments, sorted by ConfigMap name, into YAML with one overrides key", () => {
        fragment("tenant-b", TENANT_B);
        fragment("tenant-a", TENANT_A);
        const r = runOnce();
        expect(r.status, r.stderr).to.equal(0);
        expect(r.target).to.equal(`overrides:\n${TENANT_A}${TENANT_B}`);
        expect(parse(r.target)).to.deep.equal({
            overrides: {
                "cluster-a": { ingestion_rate: 10000, ingestion_burst_size: 20000 },
                "cluster-b": { ingestion_rate: 500 },
            },
        });
    });

    it("keeps tenant A's bytes unchanged while tenant B is added, changed and removed", () => {
        fragment("tenant-a", TENANT_A);
        const states: string[] = [];
        states.push(runOnce().target);
        fragment("tenant-b", TENANT_B);
        states.push(runOnce().target);
        fragment("tenant-b", "  cluster-b:\n    ingestion_rate: 999\n    max_global_series_per_user: 1\n");
        states.push(runOnce().target);
        fragment("tenant-b", undefined);
        states.push(runOnce().target);
        for (const s of states) {
            expect(s.startsWith(`overrides:\n${TENANT_A}`), s).to.equal(true);
            expect((parse(s) as { overrides: Record<string, unknown> }).overrides["cluster-a"]).to.deep.equal({
                ingestion_rate: 10000,
                ingestion_burst_size: 20000,
            });
        }
        expect((parse(states[2]) as { overrides: Record<string, unknown> }).overrides["cluster-b"]).to.deep.equal({
            ingestion_rate: 999,
            max_global_series_per_user: 1,
        });
        expect(states[3]).to.equal(`overrides:\n${TENANT_A}`);
    });

    it("writes an empty overrides map when no fragment is left", () => {
        fragment("tenant-a", TENANT_A);
        runOnce();
        fragment("tenant-a", undefined);
        const r = runOnce();
        expect(r.target).to.equal("overrides: {}\n");
        expect(parse(r.target)).to.deep.equal({ overrides: {} });
    });

    it("skips a malformed fragment with a warning and keeps the other tenants", () => {
        fragment("tenant-a", TENANT_A);
        fragment("tenant-z", "cluster-z:\n  ingestion_rate: 1\n");
        const r = runOnce();
        expect(r.status).to.equal(0);
        expect(r.stderr).to.contain("overrides-merger: skipping tenant-z: every line must be indented by two spaces");
        expect(r.target).to.equal(`overrides:\n${TENANT_A}`);
    });

    it("does not patch when the merged config already matches the live ConfigMap", () => {
        fragment("tenant-a", TENANT_A);
        runOnce();
        expect(patchCount()).to.equal(1);
        runOnce();
        expect(patchCount()).to.equal(1);
    });

    it("keeps the current config and fails the round when kubectl cannot list", () => {
        fragment("tenant-a", TENANT_A);
        writeFileSync(join(dir, "fail"), "");
        const r = runOnce();
        expect(r.status).to.not.equal(0);
        expect(r.stderr).to.contain("reading fragments failed; keeping the current config");
        expect(r.target).to.equal("overrides: {}\n");
        expect(patchCount()).to.equal(0);
    });

    it("refuses arguments that would break out of shell quoting, naming each", () => {
        expect(() => renderMergerScript({ ...ARGS, namespace: "mla'; rm -rf /", intervalSeconds: 0 })).to.throw(
            `overrides merger script: namespace "mla'; rm -rf /" has characters outside [A-Za-z0-9._/=-]; intervalSeconds must be a whole number >= 1, got 0`,
        );
    });

    it("renders the target and selector into the script", () => {
        const text = renderMergerScript(ARGS);
        expect(text).to.contain("SELECTOR='mla.k8c.io/overrides=cortex'");
        expect(text).to.contain("jsonpath={.data.runtime_config\\.yaml}");
        expect(text).to.contain("INTERVAL=30");
    });
});
