/**
 * One spec, two producers: the onboarding service's HTTP body (Ajv on the body schema, then the
 * defaults and the checks) and the cluster stack's config loader (the same schema through TypeBox,
 * then the same defaults and checks) must accept and refuse exactly the same settings. Random
 * combinations of good and bad values, each sent both ways; a bound written into only one
 * producer makes this fail.
 */
import { expect } from "chai";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { loadClusterSpec } from "../../programs/cluster-config";
import { ConfigReader } from "../../programs/config-reader";
import { ConfigError } from "../../spec/config-error";
import { kubeconfig, removeDir, SEED_SECRET, startServer, type TestServer, USER_SECRET } from "../server/support";

const RULE = { alert: "Down", expr: "up == 0" };

/** Candidate values per setting: valid ones and ones some check refuses. */
const SETTINGS: Record<string, Record<string, unknown[]>> = {
    gateway: {
        externalHostnames: [["mla.example.com"], ["Bad_Host"], [], ["a.example.com", "b.example.com"]],
        externalIps: [[], ["10.0.0.1"], ["999.1.1.1"], ["::1"]],
        serviceType: ["NodePort", "Ingress"],
        replicas: [1, 2, 0, 21, 2.5],
        allowSingleReplica: [true, false],
        metricsWriteLimit: [
            { requestsPerSecond: 0.5 },
            { requestsPerSecond: 0.51 },
            { burst: -1 },
            { requestsPerSecond: 100, burst: 10 },
            { rate: 1 },
        ],
        maxBodySize: ["16m", "0", "1g", "512k"],
        bogus: [1],
    },
    pki: {
        validityHours: [23, 48, 8760, 876_001],
        earlyRenewalHours: [0, 10, 48, 720],
    },
    monitoring: {
        enabled: [false],
        agent: ["prometheus", "otel"],
        scrapeInterval: ["30s", "0", "1h1h", "1m30s", "30 seconds"],
        replicas: [0, 11],
        resources: [{ limits: { cpu: "500m" } }, { limits: { cpu: "1Gi" } }, { requests: { memory: "1x" } }],
        customScrapeConfigs: [
            [{ job_name: "app", static_configs: [] }],
            [{ job_name: "kubelet" }],
            [{ job_name: "a", remote_write: [] }],
        ],
    },
    logging: { agent: ["promtail", "fluentd"], resources: [{ requests: { cpu: "x" } }] },
    tenant: {
        retention: [{ logs: "12h" }, { metrics: "30d" }, { logs: "1h1h" }, { metrics: "720h", logs: "48h" }],
        metricsLimits: [{ maxSeriesPerUser: 0 }, { ingestionRate: 1000 }, { maxSeriesPerUser: 1.5 }],
        logsLimits: [{ perStreamRateLimit: "3" }, { ingestionRateMb: 0.5 }, { perStreamRateLimit: "1.5MiB" }],
        metricRuleGroups: [
            [{ name: "g", rules: [RULE] }],
            [{ name: "g", rules: [{ alert: "A", expr: "up ==" }] }],
            [{ name: "g", limit: 5, rules: [RULE] }],
            [{ name: "", rules: [RULE] }],
        ],
        purgeOnDestroy: [true],
    },
    // No `seedApi`: the service takes the seeds' addresses from its operator (MLA_SEED_API_FILE),
    // never from a body, which refuses it (test/security/seed-api-from-request.test.ts).
};

/** Every (group, field, value) candidate. */
const CANDIDATES = Object.entries(SETTINGS).flatMap(([group, fields]) =>
    Object.entries(fields).flatMap(([field, values]) => values.map((value) => ({ group, field, value }))),
);

/** Up to three settings over a valid base, so both verdicts come up often. */
const settings = fc.array(fc.constantFrom(...CANDIDATES), { maxLength: 3 }).map((picked) => {
    const out: Record<string, Record<string, unknown>> = { gateway: { externalHostnames: ["mla.example.com"] } };
    for (const { group, field, value } of picked) out[group] = { ...out[group], [field]: value };
    return out;
});

function loaderAccepts(clusterId: string, given: Record<string, unknown>): { ok: boolean; problems: string[] } {
    const values: Record<string, unknown> = { clusterId, project: "team-a", seedStack: "org/mla/seed", ...given };
    const secrets: Record<string, string> = { seedKubeconfig: "seed-kc", userKubeconfig: "user-kc" };
    const reader = new ConfigReader({
        namespace: "mla",
        get: (k) => values[k],
        getSecret: (k) => (secrets[k] === undefined ? undefined : pulumi.secret(secrets[k])),
    });
    try {
        loadClusterSpec(reader);
        return { ok: true, problems: [] };
    } catch (e) {
        if (e instanceof ConfigError) return { ok: false, problems: [...e.problems] };
        throw e;
    }
}

describe("the HTTP body and the stack config accept the same specs", function () {
    this.timeout(120_000);
    let server: TestServer;

    before(async () => {
        server = await startServer();
    });

    after(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    it("gives one verdict per spec, from both producers (property-based)", async () => {
        let n = 0;
        const verdicts = { accepted: 0, refused: 0 };
        await fc.assert(
            fc.asyncProperty(settings, async (given) => {
                const clusterId = `c${n++}`;
                const res = await server.call(`/v1/clusters/${clusterId}`, {
                    method: "PUT",
                    json: {
                        project: "team-a",
                        seed: "org/mla/seed",
                        userKubeconfig: kubeconfig(USER_SECRET),
                        seedKubeconfig: kubeconfig(SEED_SECRET),
                        ...given,
                    },
                });
                const answer = await res.text();
                expect([202, 400], answer).to.include(res.status);
                const loader = loaderAccepts(clusterId, given);
                const why = `${JSON.stringify(given)}\nHTTP ${res.status}: ${answer}\nloader: ${loader.problems.join("; ")}`;
                expect(res.status === 202, why).to.equal(loader.ok);
                verdicts[loader.ok ? "accepted" : "refused"]++;
            }),
            { numRuns: 150, seed: 20261201 },
        );
        // Both outcomes are exercised, or the property proves nothing.
        expect(verdicts.accepted).to.be.greaterThan(5);
        expect(verdicts.refused).to.be.greaterThan(5);
    });
});
