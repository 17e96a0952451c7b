import { expect } from "chai";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toClusterSpec } from "../../server/cluster-request";
import type { ExecutorEvent } from "../../server/executor";
import { AutomationExecutor } from "../../server/executor-automation";
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
else if (is("stack", "output")) process.stdout.write('{"gatewayHostname":"gw.example"}');
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
        require("node:fs").mkdirSync(bin);
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

    const calls = () => readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { args: string[]; passphrase?: string; backend?: string });

    it("runs up, purge-destroy and unlock without any secret on the command line", async () => {
        const spec = toClusterSpec("c1", body({ tenant: { alertmanagerConfig: "route: {receiver: secret-receiver-abcdef}\nreceivers: [{name: secret-receiver-abcdef}]" } }) as never, (body().seedKubeconfig as string));
        const signal = new AbortController().signal;
        const up = await executor.up({ clusterId: "c1", spec, signal, onEvent: (e) => events.push(e) });
        expect(up.outputs).to.deep.equal({ gatewayHostname: { value: "gw.example", secret: false } });
        await executor.destroy({ clusterId: "c1", spec, purge: true, signal, onEvent: (e) => events.push(e) });
        await executor.unlock("c1");

        const recorded = calls();
        const verbs = recorded.map((c) => (c.args[0] === "stack" ? `stack ${c.args[1]}` : c.args[0]));
        expect(verbs).to.include.members(["version", "up", "destroy", "cancel", "stack rm"]);
        expect(verbs.filter((v) => v === "up")).to.have.length(2); // the purge records its switch first
        const argv = recorded.flatMap((c) => c.args).join("\n");
        for (const secret of [USER_SECRET, SEED_SECRET, PASSPHRASE, "secret-receiver-abcdef", "token:", "current-context"]) {
            expect(argv).to.not.include(secret);
        }
        // The passphrase and backend reach the CLI through its environment instead.
        const upCall = recorded.find((c) => c.args[0] === "up")!;
        expect(upCall.passphrase).to.equal(PASSPHRASE);
        expect(upCall.backend).to.equal(`file://${join(dir, "data", "state")}`);
        expect(upCall.args).to.include.members(["--stack", "c1", "--non-interactive"]);
        // Before the first `up`, the stack refuses default Kubernetes providers.
        const disable = recorded.findIndex(
            (c) => c.args[0] === "config" && c.args[1] === "set" && c.args.includes("--path") &&
                c.args.includes("pulumi:disable-default-providers[0]") && c.args[c.args.length - 1] === "kubernetes" &&
                c.args.includes("--plaintext") && c.args.includes("c1"),
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
