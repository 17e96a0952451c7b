/**
 * The receiver refusals reach both ways in: the onboarding service answers 400 (nothing is run),
 * and `mla render alertmanager` exits 1 and writes nothing; both list every problem at once.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../cli/cli";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, removeDir, startServer, type TestServer } from "../server/support";
import { tempDir } from "../tenant/binaries";

/** The issue's attack, plus a redirect, a header and a decimal loopback: four problems in one config. */
const ATTACK = [
    "route:",
    "  receiver: purge",
    "receivers:",
    "  - name: purge",
    "    webhook_configs:",
    "      - url: http://cortex-purger.mla.svc.cluster.local:8080/purger/delete_tenant",
    "        http_config:",
    "          follow_redirects: true",
    "          proxy_url: http://2130706433:3128/",
    "    email_configs:",
    "      - to: a@example.com",
    "        from: b@example.com",
    "        smarthost: smtp.example.com:587",
    "        headers:",
    "          X-Scope-OrgID: victim",
    "",
].join("\n");

const EXPECTED = [
    // The URL is quoted without its path (a receiver's secrets may sit there).
    /webhook_configs\[0\]\.url "http:\/\/cortex-purger\.mla\.svc\.cluster\.local:8080\/…" has a host that is a Kubernetes Service name/,
    /webhook_configs\[0\]\.http_config\.follow_redirects: true is refused/,
    /webhook_configs\[0\]\.http_config\.proxy_url "http:\/\/2130706433:3128\/" writes an IP address in a non-canonical form/,
    /email_configs\[0\]\.headers sets the header "X-Scope-OrgID", which sets the tenant of the seed's backends/,
];

describe("SSRF refusals on every way in", () => {
    describe("the onboarding service", () => {
        let server: TestServer;
        before(async () => {
            server = await startServer({ executor: new MemoryExecutor() });
        });
        after(async () => {
            await server.app.close();
            removeDir(server.dataDir);
        });

        it("answers 400 naming all four problems, and runs nothing", async () => {
            const res = await server.call("/v1/clusters/c1", {
                method: "PUT",
                json: body({ tenant: { alertmanagerConfig: ATTACK } }),
            });
            expect(res.status).to.equal(400);
            const { error } = (await res.json()) as { error: string };
            for (const re of EXPECTED) expect(error).to.match(re);
            expect(server.executor.calls).to.deep.equal([]);
        });

        it("accepts the same shape aimed at public hosts (202)", async () => {
            const fixed = ATTACK.replace(
                "http://cortex-purger.mla.svc.cluster.local:8080/purger/delete_tenant",
                "https://hooks.example.com/x",
            )
                .replace("follow_redirects: true", "follow_redirects: false")
                .replace("http://2130706433:3128/", "http://proxy.example.com:3128/")
                .replace("X-Scope-OrgID: victim", "X-Team: ops");
            const res = await server.call("/v1/clusters/c2", {
                method: "PUT",
                json: body({ tenant: { alertmanagerConfig: fixed } }),
            });
            expect(res.status, await res.clone().text()).to.equal(202);
        });
    });

    describe("mla render alertmanager", () => {
        const tmp = tempDir("mla-ssrf-render-");
        after(() => tmp.cleanup());

        it("exits 1, lists all four problems and writes nothing", async () => {
            const out = join(tmp.dir, "out");
            let err = "";
            const code = await main(
                [
                    "render",
                    "alertmanager",
                    "--cluster-id",
                    "c1",
                    "--out",
                    out,
                    "--alertmanager-config",
                    tmp.write("am.yml", ATTACK),
                ],
                { out: () => undefined, err: (t) => (err += t) },
            );
            expect(code).to.equal(1);
            expect(err).to.match(/^4 problems in tenant config:/);
            for (const re of EXPECTED) expect(err).to.match(re);
            expect(existsSync(join(out, "alertmanager.yml"))).to.equal(false);
        });
    });
});
