import { expect } from "chai";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toClusterSpec } from "../../service/operations/cluster-request";
import type { ExecutorEvent } from "../../executors/executor";
import { AutomationExecutor } from "../../executors/automation/executor-automation";
import { body, removeDir, SEED_SECRET, USER_SECRET } from "./support";

const PASSPHRASE = "passphrase-SECRET-91c4e7a2b8d0";

/**
 * A fake `pulumi` that records its argv and the secret-bearing environment, and answers the few
 * commands the Automation API runs with plausible output.
 */
function writeStub(dir: string, log: string): void {
    const script = `#!${process.execPath}
const fs = require("fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, passphrase: process.env.PULUMI_CONFIG_PASSPHRASE, backend: process.env.PULUMI_BACKEND_URL }) + "\\n");
const is = (...w) => w.every((x, i) => args[i] === x);
if (is("version")) process.stdout.write("v3.248.0\\n");
else if (is("stack", "output")) process.stdout.write(JSON.stringify({ clusterId: args[args.indexOf("--stack") + 1], gatewayHostname: "gw.example" }));
else if (is("stack", "history")) process.stdout.write('[{"version":1,"kind":"update","startTime":"2026-01-01T00:00:00Z","message":"","environment":{},"config":{},"result":"succeeded","resourceChanges":{"create":3}}]');
else if (is("whoami")) process.stdout.write("organization\\n");
`;
    const path = join(dir, "pulumi");
    writeFileSync(path, script);
    chmodSync(path, 0o755);
}

/** Every file's text under `dir`, recursively. */
function allText(dir: string): string {
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
        .map((f) => join(dir, f))
        .filter((f) => statSync(f).isFile())
        .map((f) => readFileSync(f, "utf8"))
        .join("\n");
}

describe("Automation API executor with a recording `pulumi` stub", () => {
    let dir: string;
    let log: string;
    let savedPath: string | undefined;
    let executor: AutomationExecutor;
    const events: ExecutorEvent[] = [];

    before(() => {
        dir = mkdtempSync(join(tmpdir(), "mla-automation-"));
        const bin = join(dir, "bin");
        mkdirSync(bin);
        log = join(dir, "argv.jsonl");
        writeStub(bin, log);
        savedPath = process.env.PATH;
        // The SDK finds `pulumi` through the process PATH.
        process.env.PATH = `${bin}:${savedPath}`;
        executor = new AutomationExecutor({
            dataDir: join(dir, "data"),
            program: async () => ({}),
            env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE },
        });
    });

    after(() => {
        process.env.PATH = savedPath;
        removeDir(dir);
    });

    const calls = () =>
        readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as { args: string[]; passphrase?: string; backend?: string });

    it("runs up, purge-destroy and unlock without any secret on the command line", async () => {
        const spec = toClusterSpec(
            "c1",
            body({
                tenant: {
                    alertmanagerConfig:
                        "route: {receiver: secret-receiver-abcdef}\nreceivers: [{name: secret-receiver-abcdef}]",
                },
            }) as never,
            body().seedKubeconfig as string,
        );
        const signal = new AbortController().signal;
        const up = await executor.up({ clusterId: "c1", spec, signal, onEvent: (e) => events.push(e) });
        expect(up.outputs).to.deep.equal({
            clusterId: { value: "c1", secret: false },
            gatewayHostname: { value: "gw.example", secret: false },
        });
        await executor.destroy({ clusterId: "c1", spec, purge: true, signal, onEvent: (e) => events.push(e) });
        await executor.unlock("c1");

        const recorded = calls();
        const verbs = recorded.map((c) => (c.args[0] === "stack" ? `stack ${c.args[1]}` : c.args[0]));
        expect(verbs).to.include.members(["version", "up", "destroy", "cancel", "stack rm"]);
        expect(verbs.filter((v) => v === "up")).to.have.length(2); // the purge records its switch first
        const argv = recorded.flatMap((c) => c.args).join("\n");
        for (const secret of [
            USER_SECRET,
            SEED_SECRET,
            PASSPHRASE,
            "secret-receiver-abcdef",
            "token:",
            "current-context",
        ]) {
            expect(argv).to.not.include(secret);
        }
        // The passphrase and backend reach the CLI through its environment instead.
        const upCall = recorded.find((c) => c.args[0] === "up")!;
        expect(upCall.passphrase).to.equal(PASSPHRASE);
        expect(upCall.backend).to.equal(`file://${join(dir, "data", "state")}`);
        expect(upCall.args).to.include.members(["--stack", "c1", "--non-interactive"]);
        // Before the first `up`, the stack refuses default Kubernetes providers.
        const disable = recorded.findIndex(
            (c) =>
                c.args[0] === "config" &&
                c.args[1] === "set" &&
                c.args.includes("--path") &&
                c.args.includes("pulumi:disable-default-providers[0]") &&
                c.args[c.args.length - 1] === "kubernetes" &&
                c.args.includes("--plaintext") &&
                c.args.includes("c1"),
        );
        expect(disable, verbs.join(", ")).to.be.greaterThan(-1);
        expect(disable).to.be.lessThan(recorded.indexOf(upCall));
        // Nor is any secret written to the workspace directory.
        const files = allText(join(dir, "data"));
        for (const secret of [USER_SECRET, SEED_SECRET, PASSPHRASE]) expect(files).to.not.include(secret);
    });

    it("reports the CLI version, the file backend and the passphrase as ready", async () => {
        const checks = await executor.checkReady();
        expect(checks.map((c) => [c.name, c.ok, c.detail])).to.deep.equal([
            ["pulumi-cli", true, "pulumi v3.248.0"],
            ["backend", true, `file backend ${join(dir, "data", "state")}`],
            ["secrets", true, "passphrase from the environment"],
        ]);
    });
});

/**
 * A `pulumi` stub that keeps its stacks in a JSON file (init, select, ls, rm) and records every
 * call's argv and full environment, so tests can see what a preview leaves behind and what
 * reaches a child process.
 */
function writeStatefulStub(dir: string, log: string, stacksFile: string): void {
    const script = `#!${process.execPath}
const fs = require("fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, env: process.env }) + "\\n");
const stacks = fs.existsSync(${JSON.stringify(stacksFile)}) ? JSON.parse(fs.readFileSync(${JSON.stringify(stacksFile)}, "utf8")) : [];
const save = () => fs.writeFileSync(${JSON.stringify(stacksFile)}, JSON.stringify(stacks));
const is = (...w) => w.every((x, i) => args[i] === x);
const named = () => (args.includes("--stack") ? args[args.indexOf("--stack") + 1] : args[2]);
if (is("version")) process.stdout.write("v3.248.0\\n");
else if (is("stack", "ls")) process.stdout.write(JSON.stringify(stacks.map((name) => ({ name, current: false }))));
else if (is("stack", "init")) { stacks.push(named()); save(); }
else if (is("stack", "select")) { if (!stacks.includes(named())) { process.stderr.write("error: no stack named '" + named() + "' found\\n"); process.exit(255); } }
else if (is("stack", "rm")) { const name = args.find((a, i) => i > 1 && !a.startsWith("-")); stacks.splice(stacks.indexOf(name), 1); save(); }
else if (is("stack", "output")) { if (!stacks.includes(named())) { process.stderr.write("error: no stack named '" + named() + "' found\\n"); process.exit(255); } process.stdout.write(JSON.stringify(named().startsWith("seed") ? { seedDomain: "seed.example", caCert: "[secret]" } : { clusterId: named() })); }
`;
    const path = join(dir, "pulumi");
    writeFileSync(path, script);
    chmodSync(path, 0o755);
}

describe("Automation API executor: what child processes get and what a preview leaves behind", () => {
    let dir: string;
    let dataDir: string;
    let log: string;
    let stacksFile: string;
    let savedPath: string | undefined;
    const spawned: Array<{ args: string[]; env: Record<string, string> }> = [];
    let executor: AutomationExecutor;
    const signal = new AbortController().signal;

    before(() => {
        dir = mkdtempSync(join(tmpdir(), "mla-automation-env-"));
        const bin = join(dir, "bin");
        mkdirSync(bin);
        log = join(dir, "calls.jsonl");
        stacksFile = join(dir, "stacks.json");
        writeStatefulStub(bin, log, stacksFile);
        savedPath = process.env.PATH;
        process.env.PATH = `${bin}:${savedPath}`;
        dataDir = join(dir, "data");
        executor = new AutomationExecutor({
            dataDir,
            program: async () => ({}),
            onSpawn: (r) => spawned.push(r),
            // What a service process typically has: its own secrets, unrelated ones, and what Pulumi needs.
            env: {
                ...process.env,
                MLA_API_TOKEN: "api-token-SECRET-4b1d9e",
                MLA_SPEC_KEY_FILE: "/secret/spec.key",
                DATABASE_PASSWORD: "unrelated-SECRET-77",
                PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
                AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
                HTTPS_PROXY: "http://proxy.example:3128",
            },
        });
    });

    after(() => {
        process.env.PATH = savedPath;
        removeDir(dir);
    });

    const calls = () =>
        readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as { args: string[]; env: Record<string, string> });

    it("previews a cluster that has no stack in a temporary workspace and removes the stack and the directory", async () => {
        const spec = toClusterSpec("fresh", body() as never, body().seedKubeconfig as string);
        await executor.preview({ clusterId: "fresh", spec, signal, onEvent: () => undefined });
        const verbs = calls().map((c) => (c.args[0] === "stack" ? c.args.slice(0, 2).join(" ") : c.args[0]));
        expect(verbs).to.include.members(["stack ls", "stack init", "preview", "stack rm"]);
        expect(verbs.indexOf("stack rm")).to.be.greaterThan(verbs.indexOf("preview"));
        expect(JSON.parse(readFileSync(stacksFile, "utf8"))).to.deep.equal([]);
        expect(readdirSync(dataDir).sort()).to.deep.equal(["tmp"]);
        expect(readdirSync(join(dataDir, "tmp"))).to.deep.equal([]);
    });

    it("previews a cluster whose stack exists in its own workspace and keeps the stack", async () => {
        writeFileSync(stacksFile, JSON.stringify(["known"]));
        const spec = toClusterSpec("known", body() as never, body().seedKubeconfig as string);
        await executor.preview({ clusterId: "known", spec, signal, onEvent: () => undefined });
        expect(JSON.parse(readFileSync(stacksFile, "utf8"))).to.deep.equal(["known"]);
        expect(calls().filter((c) => c.args[0] === "stack" && c.args[1] === "rm")).to.have.length(1); // the earlier preview's only
        expect(readdirSync(join(dataDir, "workspaces"))).to.deep.equal(["known"]);
    });

    it("never touches a seed's stack for a cluster named like it: up, preview, destroy, outputs and unlock are refused before any change", async () => {
        writeFileSync(stacksFile, JSON.stringify(["known", "seed-eu1"]));
        const before = calls().length;
        const spec = toClusterSpec("seed-eu1", body({ seed: "seed-eu2" }) as never, body().seedKubeconfig as string);
        const request = { clusterId: "seed-eu1", spec, signal, onEvent: () => undefined };
        for (const [verb, attempt] of [
            ["up", () => executor.up(request)],
            ["preview", () => executor.preview(request)],
            ["destroy", () => executor.destroy({ ...request, purge: true })],
            ["outputs", () => executor.outputs("seed-eu1")],
            ["unlock", () => executor.unlock("seed-eu1")],
        ] as const) {
            const refused = await attempt().then(
                () => undefined,
                (e: unknown) => e as { code?: string; message: string },
            );
            expect(refused?.code, verb).to.equal("stack-not-owned");
            expect(refused?.message).to.contain("is not cluster seed-eu1's");
        }
        const touched = calls()
            .slice(before)
            .map((c) => c.args.filter((a) => !a.startsWith("--") && a !== "seed-eu1").join(" "));
        // Only reads: selecting the stack and reading its outputs (and listing stacks, for the preview).
        expect([...new Set(touched)].sort()).to.deep.equal(
            ["stack ls", "stack output", "stack select", "version"].filter((v) => touched.includes(v)),
        );
        expect(
            touched.some((t) => /^(up|preview|destroy|refresh|config|stack rm|stack init|cancel)\b/.test(t)),
        ).to.equal(false);
        expect(JSON.parse(readFileSync(stacksFile, "utf8"))).to.deep.equal(["known", "seed-eu1"]);
    });

    it("reports whether the seed stack is readable in the same backend, and says how to fix a mismatch", async () => {
        writeFileSync(stacksFile, JSON.stringify(["known"]));
        expect(await executor.checkSeed("seed-eu1")).to.deep.equal({
            name: "seed seed-eu1",
            ok: false,
            detail: `no stack seed-eu1 in file://${join(dataDir, "state")}: create the seed with the service's backend (PULUMI_BACKEND_URL=file://${join(dataDir, "state")} pulumi up), or point MLA_BACKEND_URL at the seed's`,
        });
        writeFileSync(stacksFile, JSON.stringify(["known", "seed-eu1"]));
        expect(await executor.checkSeed("seed-eu1")).to.deep.equal({
            name: "seed seed-eu1",
            ok: true,
            detail: `readable in file://${join(dataDir, "state")} (2 outputs)`,
        });
        expect(readdirSync(join(dataDir, "tmp"))).to.deep.equal([]);
    });

    it("starts every `pulumi` with the allow-listed environment: no MLA_* variable, nothing unrelated, what Pulumi needs", async () => {
        await executor.checkReady();
        const recorded = calls();
        expect(recorded.length).to.be.greaterThan(5);
        for (const call of recorded) {
            const names = Object.keys(call.env);
            expect(
                names.filter((n) => n.startsWith("MLA_")),
                call.args.join(" "),
            ).to.deep.equal([]);
            expect(names, call.args.join(" ")).to.not.include("DATABASE_PASSWORD");
            expect(JSON.stringify(call.env)).to.not.include("SECRET-4b1d9e").and.to.not.include("unrelated-SECRET");
            expect(call.env).to.include({
                PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
                AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
                HTTPS_PROXY: "http://proxy.example:3128",
            });
            expect(call.env.PULUMI_BACKEND_URL).to.equal(`file://${join(dataDir, "state")}`);
        }
        // The workspaces' commands went through the isolated command, with the same environment.
        expect(spawned.length).to.be.greaterThan(3);
        for (const r of spawned)
            expect(Object.keys(r.env).filter((n) => n.startsWith("MLA_") || n === "DATABASE_PASSWORD")).to.deep.equal(
                [],
            );
    });
});
