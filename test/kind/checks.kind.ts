/**
 * End-to-end checks on two kind clusters (seed "mla-seed", user "mla-user") set up by
 * `test/kind/run.sh`, which also sets the environment `kind-env.ts` reads. Opt-in: it needs
 * Docker, kind, kubectl and the Pulumi CLI, so `npm test` and CI never load it (the file name does
 * not match `test/**\/*.test.ts`). Run it through run.sh, or by hand against clusters kept with
 * `run.sh --keep`:
 *
 *   npx mocha --require ts-node/register/transpile-only test/kind/checks.kind.ts
 *
 * Order matters: the data checks, then suspend/resume, then offboarding (which destroys the
 * cluster stack; `run.sh --no-offboard` leaves it out with mocha's `--grep offboarding --invert`).
 */
import { expect } from "chai";
import { describeOutcome, send } from "../gateway/https-client";
import { WRITE_SERVICE_PORT } from "../../components/gateway/layout";
import { DEFAULT_RETRY_AFTER_SECONDS } from "../../components/gateway/nginx-config-params";
import { groupNamesOf, tenantExpectations, type TenantExpectations } from "./expectations";
import {
    type KindEnv,
    kindEnv,
    namespaceExists,
    pulumi,
    pulumiUp,
    secretData,
    stackOutputs,
    stringOutput,
} from "./kind-env";
import { type ServiceTarget, serviceOfUrl, withPortForward } from "./port-forward";
import {
    alertNames,
    alertmanagerOriginalConfig,
    eventually,
    getJson,
    lokiStreams,
    query,
    ruleGroupNames,
    vectorSamples,
} from "./probes";

/** The metrics agent's client-certificate Secret in the agents' namespace (README, "User-cluster agents"). */
const METRICS_AGENT_TLS_SECRET = "mla-metrics-agent-tls";
const MINUTE = 60_000;

describe("kind: one seed and one user cluster, deployed with the Pulumi CLI", function () {
    this.timeout(40 * MINUTE);

    let env: KindEnv;
    let id: string;
    let tenant: TenantExpectations;
    let adminMetricGroups: string[];
    let adminLogGroups: string[];
    let gatewayRead: ServiceTarget;
    let cortexQuery: ServiceTarget & { path: string };
    let lokiQuery: ServiceTarget & { path: string };

    before(async function () {
        env = kindEnv();
        const seed = await stackOutputs(env, env.seedStack);
        const cluster = await stackOutputs(env, env.clusterStack);
        id = stringOutput(cluster, "clusterId");
        tenant = tenantExpectations(env.clusterConfigFile);
        adminMetricGroups = groupNamesOf(seed.adminMetricRuleGroups);
        adminLogGroups = groupNamesOf(seed.adminLogRuleGroups);
        gatewayRead = serviceOfUrl(stringOutput(cluster, "gatewayReadUrl"));
        cortexQuery = serviceOfUrl(stringOutput(seed, "metricsQueryUrl"));
        lokiQuery = serviceOfUrl(stringOutput(seed, "logsQueryUrl"));
    });

    /** GET through the cluster's gateway read listener; the gateway adds X-Scope-OrgID. */
    const viaGateway = (path: string) =>
        withPortForward(env.seedKubeconfig, gatewayRead, (port) => getJson(port, path));
    const upQuery = () => `up{cluster="${id}"}`;
    const logQuery = () => `{namespace="kube-system"}`;
    const logRange = () =>
        query({
            query: logQuery(),
            limit: 50,
            start: `${(Date.now() - 60 * MINUTE) * 1e6}`,
            end: `${Date.now() * 1e6}`,
        });

    describe("metrics, logs, alerting and rules reach the seed", () => {
        it("series labelled cluster=<id> are queryable through the gateway's read path", async () => {
            const samples = await eventually("up series through the gateway", 8 * MINUTE, async () => {
                const s = vectorSamples(await viaGateway(`/api/prom/api/v1/query?${query({ query: upQuery() })}`));
                if (s.length === 0) throw new Error(`no series for ${upQuery()} yet`);
                return s;
            });
            for (const s of samples) expect(s.metric.cluster, JSON.stringify(s.metric)).to.equal(id);
        });

        it("the query-frontend holds them under tenant <id> and under no other tenant", async () => {
            const asTenant = (org: string) =>
                withPortForward(env.seedKubeconfig, cortexQuery, async (port) =>
                    vectorSamples(
                        await getJson(port, `${cortexQuery.path}/api/v1/query?${query({ query: upQuery() })}`, {
                            "X-Scope-OrgID": org,
                        }),
                    ),
                );
            await eventually(`up series in Cortex tenant ${id}`, 2 * MINUTE, async () => {
                if ((await asTenant(id)).length === 0) throw new Error("none yet");
            });
            expect(await asTenant(`${id}-other`)).to.deep.equal([]);
        });

        it("log lines from the user cluster's kube-system pods are in Loki for the tenant (gateway and query-frontend)", async () => {
            const streams = await eventually("kube-system log streams through the gateway", 8 * MINUTE, async () => {
                const s = lokiStreams(await viaGateway(`/loki/api/v1/query_range?${logRange()}`));
                if (s.reduce((n, x) => n + x.lines, 0) === 0) throw new Error(`no lines for ${logQuery()} yet`);
                return s;
            });
            for (const s of streams) expect(s.stream.namespace).to.equal("kube-system");
            const direct = (org: string) =>
                withPortForward(env.seedKubeconfig, lokiQuery, async (port) =>
                    lokiStreams(
                        await getJson(port, `${lokiQuery.path}/loki/api/v1/query_range?${logRange()}`, {
                            "X-Scope-OrgID": org,
                        }),
                    ),
                );
            expect((await direct(id)).length, "streams for the tenant at the query-frontend").to.be.greaterThan(0);
            expect(await direct(`${id}-other`)).to.deep.equal([]);
        });

        it("the tenant's Alertmanager runs the owner's config", async () => {
            const original = await eventually("tenant Alertmanager status", 5 * MINUTE, async () =>
                alertmanagerOriginalConfig(await viaGateway("/alertmanager/api/v2/status")),
            );
            for (const receiver of tenant.receivers) expect(original).to.include(receiver);
        });

        /** Polls a ruler's rules API (through the gateway) until every group in `want` is listed. */
        const rulerServes = (what: string, path: string, want: () => string[]) => () =>
            eventually(what, 5 * MINUTE, async () => {
                const names = ruleGroupNames(await viaGateway(path));
                const missing = want().filter((g) => !names.includes(g));
                if (missing.length > 0)
                    throw new Error(`missing ${missing.join(", ")}; ruler has ${names.join(", ") || "none"}`);
            });

        it(
            "the Cortex ruler serves the tenant's owner and admin-default metric rule groups",
            rulerServes("metric rule groups in the Cortex ruler", "/api/prom/api/v1/rules", () => [
                ...tenant.metricGroups,
                ...adminMetricGroups,
            ]),
        );

        it(
            "the Loki ruler serves the tenant's owner and admin-default log rule groups",
            rulerServes("log rule groups in the Loki ruler", "/prometheus/api/v1/rules", () => [
                ...tenant.logGroups,
                ...adminLogGroups,
            ]),
        );

        it("an owner alert evaluated by the Cortex ruler reaches the tenant's Alertmanager", async () => {
            await eventually("owner alerts in the tenant Alertmanager", 6 * MINUTE, async () => {
                const names = alertNames(await viaGateway("/alertmanager/api/v2/alerts"));
                const missing = tenant.metricAlerts.filter((a) => !names.includes(a));
                if (missing.length > 0)
                    throw new Error(`missing ${missing.join(", ")}; Alertmanager has ${names.join(", ") || "none"}`);
            });
        });
    });

    describe("suspend and resume (mla:suspended + pulumi up)", () => {
        let write: ServiceTarget;
        let hostname: string;
        let tls: { ca: string; cert: string; key: string };

        before(async () => {
            const cluster = await stackOutputs(env, env.clusterStack);
            write = {
                namespace: stringOutput(cluster, "seedNamespace"),
                service: stringOutput(cluster, "gatewayWriteService"),
                port: WRITE_SERVICE_PORT,
            };
            hostname = (cluster.gatewayHostnames as string[])[0];
            const secret = await secretData(
                env.userKubeconfig,
                stringOutput(cluster, "agentsNamespace"),
                METRICS_AGENT_TLS_SECRET,
            );
            tls = { ca: secret["ca.crt"], cert: secret["tls.crt"], key: secret["tls.key"] };
        });

        /** A remote-write POST with the metrics agent's own certificate; its body does not matter for these checks. */
        const push = () =>
            withPortForward(env.seedKubeconfig, write, (port) =>
                send({
                    port,
                    path: "/api/v1/push",
                    method: "POST",
                    body: "",
                    headers: { "content-type": "application/x-protobuf" },
                    servername: hostname,
                    ...tls,
                }),
            );
        /** Sets `mla:suspended`, runs `pulumi up` (it returns once the gateway has rolled) and returns that moment, in seconds. */
        const setSuspended = async (value: boolean) => {
            await pulumi(env, env.clusterStack, ["config", "set", "mla:suspended", String(value)]);
            await pulumiUp(env, env.clusterStack);
            return Date.now() / 1000;
        };
        /** Pushes until the answer passes `accepted`; returns that answer. */
        const pushUntil = (what: string, accepted: (status: number) => boolean) =>
            eventually(what, 2 * MINUTE, async () => {
                const o = await push();
                if (o.kind !== "response" || !accepted(o.status)) throw new Error(describeOutcome(o));
                return o;
            });
        const latestSampleSeconds = async () => {
            const s = vectorSamples(
                await viaGateway(`/api/prom/api/v1/query?${query({ query: `max(timestamp(${upQuery()}))` })}`),
            );
            if (s.length === 0) throw new Error("no samples");
            return s[0].value;
        };

        it("suspended: the write listener answers 503 with Retry-After, and the agents' samples stop arriving", async () => {
            const suspendedAt = await setSuspended(true);
            const outcome = await pushUntil("503 from the suspended write listener", (status) => status === 503);
            expect(outcome.headers["retry-after"]).to.equal(String(DEFAULT_RETRY_AFTER_SECONDS));
            // Give the agents two minutes of scrapes; none of them may land while suspended.
            await new Promise((r) => setTimeout(r, 2 * MINUTE));
            const latest = await latestSampleSeconds();
            expect(
                latest,
                "newest up sample (s) vs. suspend time (s), 60 s allowed for batches in flight while the old pod drained",
            ).to.be.lessThan(suspendedAt + 60);
        });

        it("resumed: pushes are forwarded again and fresh samples arrive", async () => {
            const resumedAt = await setSuspended(false);
            // Not 503 any more; a 5xx would mean the gateway could not reach the distributor.
            const outcome = await pushUntil("a forwarded push", (status) => status < 500);
            expect(outcome.headers["retry-after"]).to.equal(undefined);
            await eventually("samples newer than the resume", 5 * MINUTE, async () => {
                const latest = await latestSampleSeconds();
                if (latest <= resumedAt) throw new Error(`newest sample ${latest} is not after ${resumedAt}`);
            });
        });
    });

    describe("offboarding (pulumi destroy of the cluster stack)", () => {
        it("removes the seed namespace cluster-<id> and the user cluster's two agents namespaces", async () => {
            const cluster = await stackOutputs(env, env.clusterStack);
            const seedNs = stringOutput(cluster, "seedNamespace");
            const agentsNs = stringOutput(cluster, "agentsNamespace");
            // The kind stack runs Alloy, so the host-agents namespace exists too.
            const hostNs = stringOutput(cluster, "hostAgentsNamespace");
            expect(seedNs).to.equal(`cluster-${id}`);
            // All must exist first, or their absence afterwards would prove nothing.
            expect(await namespaceExists(env.seedKubeconfig, seedNs), `${seedNs} before destroy`).to.equal(true);
            expect(await namespaceExists(env.userKubeconfig, agentsNs), `${agentsNs} before destroy`).to.equal(true);
            expect(await namespaceExists(env.userKubeconfig, hostNs), `${hostNs} before destroy`).to.equal(true);
            await pulumi(env, env.clusterStack, ["destroy", "--yes", "--skip-preview"]);
            await eventually("all three namespaces gone", 5 * MINUTE, async () => {
                const left = [
                    ...((await namespaceExists(env.seedKubeconfig, seedNs)) ? [`seed ${seedNs}`] : []),
                    ...((await namespaceExists(env.userKubeconfig, agentsNs)) ? [`user ${agentsNs}`] : []),
                    ...((await namespaceExists(env.userKubeconfig, hostNs)) ? [`user ${hostNs}`] : []),
                ];
                if (left.length > 0) throw new Error(`still present: ${left.join(", ")}`);
            });
        });
    });
});
