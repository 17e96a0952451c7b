/**
 * A receiver URL smuggled past the checks' YAML reading: a duplicate key (the checks could see one
 * value and the Alertmanager the other), a second document (the Alertmanager reads only the
 * first), a mapping key that is a collection. The checks read the config with
 * `spec/yaml-first-error.ts` (stopped at the first error, warnings off), so each trick must
 * still be refused: by the checks, and over HTTP with nothing run, nothing registered and no
 * process warning. The public twin, one plain document, passes the checks, real amtool and the
 * service.
 */
import { expect } from "chai";
import { renderAlertmanagerConfig } from "../../components/tenant/alertmanager-config";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { alertmanagerConfigProblems } from "../../spec/checks/alertmanager-config";
import { body, removeDir, startServer, type TestServer } from "../server/support";
import { runBinary, tempDir } from "../tenant/binaries";

const INTERNAL = "http://cortex-purger.mla.svc.cluster.local:8080/purger/delete_tenant";
const PUBLIC = "https://hooks.example.com/alerts";
const HEAD = "route:\n  receiver: r\nreceivers:\n  - name: r\n    webhook_configs:\n";
const TWIN = `${HEAD}      - url: ${PUBLIC}\n`;

const NOT_YAML_AT_7 = "alertmanagerConfig is not valid YAML (line 7)";
/** Each trick, and the one problem the checks must report for it (not merely some problem). */
const SMUGGLED: Array<[string, string, string]> = [
    [
        "a duplicate url, the internal one last",
        `${HEAD}      - url: ${PUBLIC}\n        url: ${INTERNAL}\n`,
        NOT_YAML_AT_7,
    ],
    [
        "a duplicate url, the internal one first",
        `${HEAD}      - url: ${INTERNAL}\n        url: ${PUBLIC}\n`,
        NOT_YAML_AT_7,
    ],
    ["a second document with an internal receiver", `${TWIN}---\n${HEAD}      - url: ${INTERNAL}\n`, NOT_YAML_AT_7],
    [
        "a receiver whose key is a collection holding the URL",
        `${TWIN}        ? {url: ${INTERNAL}}\n        : x\n`,
        `alertmanagerConfig.receivers[0] (receiver "r").webhook_configs[0] has an unknown key "{ url: ${INTERNAL} }"`,
    ],
];

describe("SSRF: a receiver URL smuggled past the YAML reading", () => {
    const tmp = tempDir("mla-ssrf-yaml-");
    let server: TestServer;
    before(async () => {
        server = await startServer({ executor: new MemoryExecutor() });
    });
    after(async () => {
        await server.app.close();
        removeDir(server.dataDir);
        tmp.cleanup();
    });

    for (const [what, text, problem] of SMUGGLED) {
        it(`refuses ${what}, in the checks and over HTTP, running and registering nothing`, async () => {
            const problems = alertmanagerConfigProblems(text);
            expect(problems, `accepted:\n${text}`).to.have.length(1);
            expect(problems[0]).to.satisfy((p: string) => p.startsWith(problem));
            // The cluster stack's renderer, which writes the file the Alertmanager loads, refuses it too.
            expect(() => renderAlertmanagerConfig(text)).to.throw(problem);
            const warnings: string[] = [];
            const listener = (w: Error) => warnings.push(w.message);
            process.on("warning", listener);
            try {
                const res = await server.call("/v1/clusters/c1", {
                    method: "PUT",
                    json: body({ tenant: { alertmanagerConfig: text } }),
                });
                expect(res.status).to.equal(400);
                expect(((await res.json()) as { error: string }).error).to.include(problem);
                await new Promise((r) => setTimeout(r, 20));
            } finally {
                process.off("warning", listener);
            }
            expect(warnings).to.deep.equal([]);
            expect(server.executor.calls).to.deep.equal([]);
            expect(server.registry.cluster("c1")).to.equal(undefined);
        });
    }

    it("accepts the public twin: the checks, real amtool and the service (202), and delivers only its URL", async () => {
        expect(alertmanagerConfigProblems(TWIN)).to.deep.equal([]);
        const delivered = renderAlertmanagerConfig(TWIN);
        expect(delivered).to.include(PUBLIC).and.not.include("svc.cluster.local");
        for (const [name, text] of [
            ["twin.yml", TWIN],
            ["delivered.yml", delivered],
        ]) {
            const checked = await runBinary("amtool", ["check-config", tmp.write(name, text)]);
            expect(checked.code, checked.output).to.equal(0);
        }
        const res = await server.call("/v1/clusters/c2", {
            method: "PUT",
            json: body({ tenant: { alertmanagerConfig: TWIN } }),
        });
        expect(res.status, await res.clone().text()).to.equal(202);
    });
});
