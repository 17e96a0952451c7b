/**
 * No request field's text reaches a process warning. The `yaml` library warns, through
 * `process.emitWarning`, when a mapping key is itself a collection, and the warning quotes the
 * key; Node writes every warning to stderr, which a pod's log collector keeps. A kubeconfig or an
 * Alertmanager config with `? {token: …}: x` put the token there on every read. Each reader of
 * request text here is attacked with such a key and must stay silent, and so must the CLI's
 * reads of an operator's files (a tenant config, rule files, scrape configs, a stack config).
 */
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderAgentFiles } from "../../cli/commands/render-agent";
import { stackFileConfigSource } from "../../cli/commands/render-seed-values";
import { tenantFromFlags } from "../../cli/commands/render-tenant";
import { connectionFromKubeconfig } from "../../executors/operator/kube-connection";
import { readBoundedYaml } from "../../service/input/bounded-input";
import { alertmanagerConfigProblems } from "../../spec/checks/alertmanager-config";
import { withoutRedirects } from "../../spec/checks/alertmanager-egress";
import { body, kubeconfig, removeDir, startServer, USER_SECRET } from "../server/support";

/** Short enough that the warning, which cuts a key at about 40 characters, quotes all of it. */
const KEY_SECRET = "fixture-SECRET-91c2";
/** A mapping key that is a flow mapping holding a secret: `yaml` stringifies it, and warns. */
const COLLECTION_KEY = `? {token: ${KEY_SECRET}}\n: x\n`;
const ALERTMANAGER = "route:\n  receiver: ops\nreceivers:\n  - name: ops\n";

/** Runs `attack` and returns the text of every process warning emitted meanwhile. */
async function warningsDuring(attack: () => Promise<void> | void): Promise<string[]> {
    const seen: string[] = [];
    const listener = (w: Error) => seen.push(`${w.name}: ${w.message}`);
    process.on("warning", listener);
    try {
        await attack();
        // Warnings are emitted on the next tick; let them all arrive.
        await new Promise((r) => setTimeout(r, 20));
    } finally {
        process.off("warning", listener);
    }
    return seen;
}

describe("no request text in a process warning", () => {
    it("the warning this guards against exists: `yaml` quotes a collection key when it stringifies it", async () => {
        const { parseDocument } = await import("yaml");
        const seen = await warningsDuring(() => void parseDocument(COLLECTION_KEY).toJS());
        expect(seen.join("\n")).to.include(KEY_SECRET);
    });

    it("reading a field within the limits warns of nothing", async () => {
        const text = kubeconfig(USER_SECRET) + COLLECTION_KEY;
        let kind = "";
        const seen = await warningsDuring(() => void (kind = readBoundedYaml("userKubeconfig", text).kind));
        expect(kind).to.equal("parsed");
        expect(seen).to.deep.equal([]);
    });

    it("the Alertmanager config's checks and its delivered text warn of nothing", async () => {
        const text = ALERTMANAGER + COLLECTION_KEY;
        const seen = await warningsDuring(() => {
            alertmanagerConfigProblems(text);
            withoutRedirects(text);
        });
        expect(seen).to.deep.equal([]);
    });

    it("the operator executor's kubeconfig reader warns of nothing", async () => {
        const seen = await warningsDuring(
            () => void connectionFromKubeconfig(kubeconfig(USER_SECRET) + COLLECTION_KEY, "/"),
        );
        expect(seen).to.deep.equal([]);
    });

    it("a PUT and a preview carrying such keys in every YAML field warn of nothing", async () => {
        const server = await startServer();
        try {
            const json = body({
                userKubeconfig: kubeconfig(USER_SECRET) + COLLECTION_KEY,
                seedKubeconfig: kubeconfig("seed-token") + COLLECTION_KEY,
                tenant: { alertmanagerConfig: ALERTMANAGER + COLLECTION_KEY },
            });
            const statuses: number[] = [];
            const seen = await warningsDuring(async () => {
                for (const path of ["/v1/clusters/c1", "/v1/clusters/c2/preview"]) {
                    const method = path.endsWith("preview") ? "POST" : "PUT";
                    statuses.push((await server.call(path, { method, json })).status);
                }
            });
            // Whatever the answer, the fields were read; none of them reached a warning.
            expect(statuses.every((s) => s === 202 || s === 400)).to.equal(true);
            expect(seen).to.deep.equal([]);
            expect(server.logs()).to.not.include(KEY_SECRET);
        } finally {
            await server.app.close();
            removeDir(server.dataDir);
        }
    });

    it("the CLI's render commands read an operator's files and warn of nothing", async () => {
        const dir = mkdtempSync(join(tmpdir(), "mla-yaml-warnings-"));
        const file = (name: string, text: string) => {
            writeFileSync(join(dir, name), text);
            return join(dir, name);
        };
        const tenant = file("tenant.yaml", `retentionMetrics: 7d\n${COLLECTION_KEY}`);
        const rules = file("rules.yaml", `groups: []\n${COLLECTION_KEY}`);
        const scrape = file("scrape.yaml", `- job_name: x\n  ? {token: ${KEY_SECRET}}\n  : x\n`);
        const attempts: Array<() => unknown> = [
            () => tenantFromFlags({ config: tenant } as Parameters<typeof tenantFromFlags>[0]),
            () => tenantFromFlags({ "metric-rules": rules } as Parameters<typeof tenantFromFlags>[0]),
            () => stackFileConfigSource(`config:\n  mla:x: 1\n${COLLECTION_KEY}`),
            () =>
                renderAgentFiles([
                    "--cluster-id=c1",
                    "--gateway-url=https://gw.example",
                    `--out=${join(dir, "out")}`,
                    `--custom-scrape-configs=${scrape}`,
                ]),
        ];
        try {
            const seen = await warningsDuring(() => {
                // Each file is read whatever the command then makes of it (a refusal is fine here).
                for (const attempt of attempts) {
                    try {
                        attempt();
                    } catch {
                        // refused after reading: what matters is what reached stderr meanwhile
                    }
                }
            });
            expect(seen).to.deep.equal([]);
        } finally {
            removeDir(dir);
        }
    });
});
