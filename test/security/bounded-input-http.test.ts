/**
 * Bounded parsing over real HTTP: an alias bomb, deep nesting and a 5 MiB field in each YAML or
 * JSON field get a 400 naming the field, on PUT and preview, with nothing registered and no
 * executor call.
 */
import { expect } from "chai";
import { body, removeDir, startServer, type TestServer } from "../server/support";
import { ALIAS_BOMB, FIVE_MIB, flowKeys, nestedCompact, nestedFlow, nestedJson } from "../support/hostile-input";

describe("bounded parsing of request fields over HTTP", function () {
    this.timeout(30_000);
    let server: TestServer;
    before(async () => {
        server = await startServer();
    });
    after(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    const put = async (json: unknown) => {
        const res = await server.call("/v1/clusters/c1", { method: "PUT", json });
        return { status: res.status, error: ((await res.json()) as { error?: string }).error };
    };
    const preview = async (json: unknown) => {
        const res = await server.call("/v1/clusters/c1/preview", { method: "POST", json });
        return { status: res.status, error: ((await res.json()) as { error?: string }).error };
    };
    const alertmanager = (text: string) => body({ tenant: { alertmanagerConfig: text } });

    const cases: Array<[string, Record<string, unknown>, string]> = [
        [
            "an alias bomb in userKubeconfig",
            body({ userKubeconfig: ALIAS_BOMB }),
            "userKubeconfig has more than 100 YAML aliases or expands them too far",
        ],
        [
            "an alias bomb in seedKubeconfig",
            body({ seedKubeconfig: ALIAS_BOMB }),
            "seedKubeconfig has more than 100 YAML aliases or expands them too far",
        ],
        [
            "an alias bomb in the Alertmanager config",
            alertmanager(ALIAS_BOMB),
            "tenant.alertmanagerConfig has more than 100 YAML aliases or expands them too far",
        ],
        [
            "1,000-deep YAML in userKubeconfig",
            body({ userKubeconfig: nestedFlow(1000) }),
            "userKubeconfig nests deeper than 64 levels",
        ],
        [
            "3,000 implicit keys in one flow mapping in userKubeconfig",
            body({ userKubeconfig: flowKeys("{", 3000) }),
            "userKubeconfig nests deeper than 64 levels",
        ],
        [
            "1,000-deep YAML in the Alertmanager config",
            alertmanager(nestedCompact(1000)),
            "tenant.alertmanagerConfig nests deeper than 64 levels",
        ],
        [
            "1,000-deep JSON in a custom scrape config",
            body({ monitoring: { customScrapeConfigs: [nestedJson(1000)] } }),
            "body/monitoring/customScrapeConfigs/0 nests deeper than 64 levels",
        ],
        [
            "1,000-deep JSON in a rule",
            body({ tenant: { metricRuleGroups: [{ name: "g", rules: [nestedJson(1000)] }] } }),
            "body/tenant/metricRuleGroups/0 nests deeper than 64 levels",
        ],
        [
            "a 5 MiB userKubeconfig",
            body({ userKubeconfig: "x".repeat(FIVE_MIB) }),
            "body/userKubeconfig is longer than 262144 characters",
        ],
        [
            "a 5 MiB Alertmanager config",
            alertmanager("x".repeat(FIVE_MIB)),
            "body/tenant/alertmanagerConfig is longer than 262144 characters",
        ],
        [
            "a 5 MiB string in a custom scrape config",
            body({ monitoring: { customScrapeConfigs: [{ job_name: "x".repeat(FIVE_MIB) }] } }),
            "body/monitoring/customScrapeConfigs/0/job_name is longer than 262144 characters",
        ],
    ];
    for (const [what, json, message] of cases) {
        it(`answers 400 naming the field to ${what}, on PUT and preview`, async () => {
            expect(await put(json)).to.deep.equal({ status: 400, error: message });
            expect(await preview(json)).to.deep.equal({ status: 400, error: message });
            expect(server.executor.calls).to.deep.equal([]);
            expect(server.registry.cluster("c1")).to.equal(undefined);
        });
    }
});
