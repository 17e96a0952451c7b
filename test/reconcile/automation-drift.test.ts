/**
 * The Automation API executor's drift check against a recording `pulumi` stub (no Pulumi CLI
 * here): `refresh`, then `preview` of the spec, the changing steps from the engine events, and
 * the state's outputs with secrets, all without a secret on the command line.
 */
import { expect } from "chai";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toClusterSpec } from "../../service/operations/cluster-request";
import { AutomationExecutor } from "../../executors/automation/executor-automation";
import { body, removeDir, USER_SECRET } from "../server/support";

const PASSPHRASE = "passphrase-SECRET-drift-5a1c";
const URN = "urn:pulumi:c1::mla::kubernetes:core/v1:ConfigMap::gateway-config";

/** Writes the engine events of a preview that finds one changed ConfigMap and twelve unchanged resources. */
function writeStub(dir: string, log: string): void {
    const events = [
        { sequence: 1, timestamp: 1, preludeEvent: { config: {} } },
        {
            sequence: 2,
            timestamp: 1,
            resourcePreEvent: {
                metadata: {
                    op: "same",
                    urn: "urn:pulumi:c1::mla::pulumi:pulumi:Stack::mla-c1",
                    type: "pulumi:pulumi:Stack",
                },
            },
        },
        {
            sequence: 3,
            timestamp: 1,
            resourcePreEvent: {
                metadata: {
                    op: "update",
                    urn: URN,
                    type: "kubernetes:core/v1:ConfigMap",
                    diffs: ["data"],
                    old: { inputs: { data: "SECRET-old" } },
                },
            },
        },
        {
            sequence: 4,
            timestamp: 1,
            summaryEvent: {
                resourceChanges: { update: 1, same: 12 },
                maybeCorrupt: false,
                durationSeconds: 1,
                policyPacks: {},
            },
        },
    ];
    const script = `#!${process.execPath}
const fs = require("fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, passphrase: process.env.PULUMI_CONFIG_PASSPHRASE }) + "\\n");
const is = (...w) => w.every((x, i) => args[i] === x);
const eventLog = args.includes("--event-log") ? args[args.indexOf("--event-log") + 1] : undefined;
if (is("version")) process.stdout.write("v3.200.0\\n");
else if (is("preview")) fs.writeFileSync(eventLog, ${JSON.stringify(events.map((e) => JSON.stringify(e)).join("\n") + "\n")});
else if (is("refresh")) { if (eventLog) fs.writeFileSync(eventLog, ""); }
else if (is("stack", "history")) process.stdout.write('[{"version":2,"kind":"refresh","startTime":"2030-01-01T00:00:00Z","message":"","environment":{},"config":{},"result":"succeeded","resourceChanges":{"same":13}}]');
else if (is("stack", "output")) process.stdout.write(JSON.stringify({ clusterId: args[args.indexOf("--stack") + 1], certificateNotAfter: { server: "2031-01-01T00:00:00Z" }, gatewayReadToken: "read-token-from-state" }));
`;
    writeFileSync(join(dir, "pulumi"), script);
    chmodSync(join(dir, "pulumi"), 0o755);
}

describe("Automation API executor: drift check with a recording `pulumi` stub", function () {
    this.timeout(30_000);
    let dir: string;
    let log: string;
    let savedPath: string | undefined;
    let executor: AutomationExecutor;

    before(() => {
        dir = mkdtempSync(join(tmpdir(), "mla-automation-drift-"));
        const bin = join(dir, "bin");
        mkdirSync(bin);
        log = join(dir, "argv.jsonl");
        writeStub(bin, log);
        savedPath = process.env.PATH;
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

    it("refreshes, then previews; reports only the changing steps and the state's outputs", async () => {
        const spec = toClusterSpec("c1", body() as never, body().seedKubeconfig as string);
        const drift = await executor.checkDrift({
            clusterId: "c1",
            spec,
            signal: new AbortController().signal,
            onEvent: () => undefined,
        });
        expect(drift.changeSummary).to.deep.equal({ update: 1, same: 12 });
        expect(drift.steps).to.deep.equal([
            { op: "update", urn: URN, type: "kubernetes:core/v1:ConfigMap", name: "gateway-config", diffs: ["data"] },
        ]);
        expect(drift.outputs?.certificateNotAfter?.value).to.deep.equal({ server: "2031-01-01T00:00:00Z" });
        expect(drift.outputs?.gatewayReadToken?.value).to.equal("read-token-from-state");
        const calls = readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as { args: string[]; passphrase?: string });
        const verbs = calls.map((c) => c.args[0]);
        expect(verbs.indexOf("refresh")).to.be.greaterThan(-1);
        expect(verbs.indexOf("preview")).to.be.greaterThan(verbs.indexOf("refresh"));
        for (const c of calls) expect(c.args.join(" ")).not.to.include(USER_SECRET);
        expect(calls.find((c) => c.args[0] === "preview")?.passphrase).to.equal(PASSPHRASE);
        expect(JSON.stringify(drift)).not.to.include("SECRET-old");
    });
});
