import type { Static } from "@sinclair/typebox";
import { expect } from "chai";
import fc from "fast-check";
import type { OperationBody } from "../../service/http/api-schemas";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, kubeconfig, removeDir, SEED_SECRET, startServer, TOKEN, type TestServer, USER_SECRET } from "./support";

describe("request validation and secret hygiene", () => {
    let server: TestServer;

    before(async () => {
        // Engine failures that echo the kubeconfig, as real engines sometimes do.
        server = await startServer({
            executor: new MemoryExecutor({
                failWith: (c) =>
                    c.clusterId === "echo" ? `could not load kubeconfig:\n${c.spec?.userKubeconfig}` : undefined,
            }),
        });
    });

    after(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    const put = (id: string, json: unknown) => server.call(`/v1/clusters/${id}`, { method: "PUT", json });
    const error = async (res: Response) => ((await res.json()) as { error: string }).error;

    it("rejects ids that are not DNS-1123 labels with 400", async () => {
        for (const id of ["UPPER", "-lead", "trail-", "a_b", "a.b", "x".repeat(64), "%20", "a%2Fb", "%C3%A9"]) {
            const res = await put(id, body());
            expect(res.status, id).to.equal(400);
            expect(await error(res)).to.match(/^params\/id must/);
        }
    });

    it("rejects malformed bodies with 400 and a message naming each problem", async () => {
        const cases: Array<[unknown, RegExp]> = [
            [{}, /body must have required property 'project'/],
            [body({ project: "Team A" }), /body\/project must match pattern/],
            [body({ extra: 1 }), /body must NOT have additional properties/],
            [body({ gateway: { replicas: 0 } }), /body\/gateway\/replicas must be >= 1/],
            [body({ gateway: { replicas: "2" } }), /body\/gateway\/replicas must be integer/],
            [body({ userKubeconfig: "a: [" }), /^userKubeconfig is not valid YAML \(line 1\)$/],
            // Empty: no schema bound needed, the kubeconfig checks refuse it and name the field.
            [body({ userKubeconfig: "" }), /^userKubeconfig must be a kubeconfig mapping$/],
            [body({ seedKubeconfig: "" }), /^seedKubeconfig must be a kubeconfig mapping$/],
            [
                body({ userKubeconfig: "apiVersion: v1\nkind: Config\n" }),
                /userKubeconfig has no cluster with a server address; userKubeconfig has no user; userKubeconfig has no context/,
            ],
            [
                body({ seedKubeconfig: undefined }),
                /seedKubeconfig is required: send it in the body or store it in .*seeds\/seed-eu1\.yaml/,
            ],
            [[1, 2], /body must be object/],
        ];
        for (const [b, message] of cases) {
            const res = await put("ok", b);
            expect(res.status, JSON.stringify(b).slice(0, 80)).to.equal(400);
            expect(await error(res)).to.match(message);
        }
        expect(server.executor.calls).to.deep.equal([]);
    });

    it("answers 400, never 202, for tenant input the schema or the Tenant component's checks refuse", async () => {
        const cases: Array<[Record<string, unknown>, RegExp]> = [
            [
                { logsLimits: { perStreamRateLimit: "3" } },
                /body\/tenant\/logsLimits\/perStreamRateLimit must match pattern/,
            ],
            [{ metricsLimits: { maxSeriesPerUser: 0 } }, /body\/tenant\/metricsLimits\/maxSeriesPerUser must be >= 1/],
            [{ logsLimits: { ingestionRateMb: 0 } }, /body\/tenant\/logsLimits\/ingestionRateMb must be > 0/],
            [{ retention: { logs: "1h1h" } }, /body\/tenant\/retention\/logs must match pattern/],
            [{ retention: { logs: "12h" } }, /tenant\.retention\.logs must be at least 24h, got "12h"/],
            [
                { alertmanagerConfig: "route:\n  receiver: pager\nreceivers:\n  - name: ops\n" },
                /tenant\.alertmanagerConfig\.route\.receiver "pager" is not one of the receivers/,
            ],
            [
                { metricRuleGroups: [{ name: "m", rules: [{ alert: "Down", expr: "up ==" }] }] },
                /tenant\.metricRuleGroups group "m" rule 1 \(Down\): expr "up ==" is not valid PromQL \(syntax error at column 6\)/,
            ],
            [
                {
                    alertmanagerConfig:
                        "route:\n  receiver: ops\n  matchers: ['a=~(']\nreceivers:\n  - name: ops\n    webhook_configs:\n      - uri: http://x/\n",
                },
                /webhook_configs\[0\] has an unknown key "uri".*invalid regex "\(" in matcher "a=~\("/,
            ],
            [
                { logRuleGroups: [{ name: "l", rules: [{ alert: "E", expr: 'rate({app="x"}[5m]) > 0', bogus: 1 }] }] },
                /tenant\.logRuleGroups group "l" rule 1 has an unknown field "bogus"/,
            ],
        ];
        for (const [tenant, message] of cases) {
            const res = await put("ok", body({ tenant }));
            expect(res.status, JSON.stringify(tenant)).to.equal(400);
            expect(await error(res)).to.match(message);
        }
        expect(server.executor.calls).to.deep.equal([]);
        expect(
            (await put("ok", body({ gateway: { externalHostnames: ["a.example.com"], maxBodySize: "1g" } }))).status,
        ).to.equal(400);
    });

    it("answers 400 without quoting the body when it is not JSON, 400 naming an oversized field, and 413 above the body limit", async () => {
        const res = await server.call("/v1/clusters/ok", {
            method: "PUT",
            headers: { "content-type": "application/json" },
            body: `{"userKubeconfig": "${USER_SECRET}`,
        });
        expect(res.status).to.equal(400);
        expect(await error(res)).to.equal("request body is not valid JSON");
        const big = await put("ok", body({ tenant: { alertmanagerConfig: "x".repeat(2 * 1024 * 1024) } }));
        expect(big.status).to.equal(400);
        expect(await error(big)).to.equal("body/tenant/alertmanagerConfig is longer than 262144 characters");
        const huge = await put("ok", body({ tenant: { alertmanagerConfig: "x".repeat(9 * 1024 * 1024) } }));
        expect(huge.status).to.equal(413);
        expect(server.executor.calls).to.deep.equal([]);
    });

    it("never answers 5xx to arbitrary bodies and ids (property-based)", async () => {
        const anyBody = fc.oneof(
            fc.anything(),
            fc.record(
                { project: fc.string(), seed: fc.string(), userKubeconfig: fc.string(), seedKubeconfig: fc.string() },
                { requiredKeys: [] },
            ),
            fc.record(
                {
                    project: fc.constantFrom("p", "team-a", "A"),
                    seed: fc.constantFrom("seed", "org/mla/seed", "/"),
                    userKubeconfig: fc.oneof(
                        fc.string(),
                        fc.constant(kubeconfig("k".repeat(20))),
                        fc.constant("clusters: 3\nusers: {}\ncontexts: [1]"),
                    ),
                    seedKubeconfig: fc.constant(kubeconfig("s".repeat(20))),
                    gateway: fc.anything(),
                    tenant: fc.dictionary(fc.string(), fc.anything()),
                },
                { requiredKeys: ["project", "seed", "userKubeconfig"] },
            ),
        );
        const anyId = fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,70}$/), fc.string().map(encodeURIComponent));
        await fc.assert(
            fc.asyncProperty(anyId, anyBody, fc.boolean(), async (id, b, raw) => {
                const init = raw
                    ? {
                          method: "PUT",
                          headers: { "content-type": "application/json" },
                          body: String(JSON.stringify(b) ?? "x").slice(0, -1),
                      }
                    : { method: "PUT", json: b === undefined ? null : b };
                const res = await server.call(`/v1/clusters/${id || "x"}`, init);
                await res.arrayBuffer();
                expect(res.status, `${id} ${JSON.stringify(b)?.slice(0, 120)}`).to.be.below(500);
            }),
            { numRuns: 300 },
        );
    });

    it("keeps kubeconfigs and the token out of logs, records, events and answers even when the engine echoes them", async () => {
        const res = await put(
            "echo",
            body({
                tenant: {
                    alertmanagerConfig:
                        "route: {receiver: secret-webhook-receiver-xyz}\nreceivers: [{name: secret-webhook-receiver-xyz}]",
                },
            }),
        );
        const { operationId } = (await res.json()) as { operationId: string };
        await new Promise((r) => setTimeout(r, 150));
        const op = (await (await server.call(`/v1/operations/${operationId}`)).json()) as Static<typeof OperationBody>;
        expect(op.state).to.equal("failed");
        expect(op.error?.message).to.include("could not load kubeconfig").and.include("[redacted]");
        const events = await (
            await fetch(`${server.url}/v1/operations/${operationId}/events`, {
                headers: { authorization: `Bearer ${TOKEN}` },
            })
        ).text();
        await put("bad", body({ userKubeconfig: `token: ${USER_SECRET}\n: broken: [` }));
        await server.call("/v1/clusters", { headers: { authorization: `Bearer ${USER_SECRET}` } });
        const everything = [
            server.logs(),
            JSON.stringify(op),
            events,
            JSON.stringify(await (await server.call("/v1/clusters")).json()),
        ].join("\n");
        expect(server.logs()).to.include("incoming request");
        for (const secret of [USER_SECRET, SEED_SECRET, TOKEN, "secret-webhook-receiver-xyz"])
            expect(everything).to.not.include(secret);
    });
});
