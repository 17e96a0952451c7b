/**
 * The read token's pure parts: the nginx map fragment, the token checks, and the Grafana
 * datasources that carry it (secureJsonData), plus the Tenant component that delivers them as a
 * Secret once a token is given.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { READ_TOKEN_PATTERN, readTokenProblems, renderReadTokenMap } from "../../components/gateway/read-token";
import { renderDatasources } from "../../components/tenant/grafana-datasources";
import { Tenant } from "../../components/tenant/tenant";
import { installMocks, ofType, resetResources, settledResources } from "../support/mocks";
import { validTenant } from "../tenant/tenant-fixture";

installMocks();

const TOKEN = "AbC123_-".repeat(6);

describe("read token", () => {
    it("renders a case-sensitive exact-match map entry", () => {
        expect(renderReadTokenMap(TOKEN)).to.equal(
            `# The cluster's read token (secret). Rendered by components/gateway/read-token.ts.\n"~^${TOKEN}\\z" 1;\n`,
        );
    });

    const unsafe = [
        "has space xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        'quote"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        "semi;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "dollar$xxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "",
    ];
    for (const token of unsafe) {
        it(`refuses to render ${JSON.stringify(token.slice(0, 8))}... without echoing it`, () => {
            let message = "";
            try {
                renderReadTokenMap(token);
            } catch (e) {
                message = (e as Error).message;
            }
            expect(message).to.equal(
                `read token: only A-Z, a-z, 0-9, _ and - are allowed (got ${token.length} characters)`,
            );
        });
    }

    const checks: [string, string[]][] = [
        [TOKEN, []],
        ["a".repeat(31), ["read token: must be 32-256 characters of A-Z, a-z, 0-9, _ and - (got 31 characters)"]],
        ["a".repeat(257), ["read token: must be 32-256 characters of A-Z, a-z, 0-9, _ and - (got 257 characters)"]],
        ["a".repeat(40) + ".", ["read token: must be 32-256 characters of A-Z, a-z, 0-9, _ and - (got 41 characters)"]],
    ];
    for (const [token, problems] of checks) {
        it(`checks a ${token.length}-character token`, () => expect(readTokenProblems(token)).to.deep.equal(problems));
    }

    it("accepts what ClusterPki generates (48 letters and digits)", () => {
        expect(READ_TOKEN_PATTERN.test("aZ09".repeat(12))).to.equal(true);
    });
});

describe("Grafana datasources with the read token", () => {
    it("send the token as a custom header from secureJsonData, in all three datasources", () => {
        const file = parse(
            renderDatasources({
                clusterId: "c1",
                orgId: 3,
                gateway: { service: "mla-gateway-read", port: 80 },
                readToken: TOKEN,
            }),
        );
        expect(
            file.datasources.map(
                (d: { type: string; jsonData: Record<string, unknown>; secureJsonData: Record<string, string> }) => [
                    d.type,
                    d.jsonData.httpHeaderName1,
                    d.secureJsonData,
                ],
            ),
        ).to.deep.equal([
            ["prometheus", "X-MLA-Read-Token", { httpHeaderValue1: TOKEN }],
            ["loki", "X-MLA-Read-Token", { httpHeaderValue1: TOKEN }],
            ["alertmanager", "X-MLA-Read-Token", { httpHeaderValue1: TOKEN }],
        ]);
        // The token is never in plain jsonData, where org users could read it.
        for (const d of file.datasources) expect(JSON.stringify(d.jsonData)).to.not.include(TOKEN);
    });

    it("are delivered by the Tenant as a Secret (not a ConfigMap) when a token is given", async () => {
        resetResources();
        new Tenant("t", { clusterId: "c1", project: "proj", tenant: validTenant(), orgId: 3, readToken: TOKEN });
        const resources = await settledResources();
        expect(ofType(resources, "kubernetes:core/v1:ConfigMap").map((r) => r.name)).to.not.include("t-datasources");
        const secret = ofType(resources, "kubernetes:core/v1:Secret").find((r) => r.name === "t-datasources")!;
        expect(secret.inputs.metadata).to.deep.include({ name: "mla-datasources-c1" });
        expect(secret.inputs.metadata.labels).to.include({ grafana_datasource: "1" });
        expect(secret.inputs.stringData).to.have.property("4dabf18193072939515e22adb298388d");
        expect(secret.inputs.stringData.value["datasources-c1.yaml"]).to.include(`httpHeaderValue1: ${TOKEN}`);
    });
});
