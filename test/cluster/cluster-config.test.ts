import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadClusterSpec } from "../../programs/cluster-config";
import { CLUSTER_DEFAULTS, resolveClusterSpec } from "../../spec/cluster-defaults";
import { ConfigReader, type ConfigSource } from "../../programs/config-reader";
import { type ClusterSpecInput } from "../../spec/cluster-input";
import { ConfigError } from "../../spec/config-error";

const identity: ClusterSpecInput = {
    clusterId: "c1",
    project: "shop",
    seedStack: "org/mla/seed",
    seedKubeconfig: "seed-kc",
    userKubeconfig: "user-kc",
    gateway: { externalHostnames: ["mla-c1.example.com"] },
};

function source(values: Record<string, unknown>, secrets: Record<string, string> = {}): ConfigSource {
    return {
        namespace: "mla",
        get: (k) => values[k],
        getSecret: (k) => (secrets[k] === undefined ? undefined : pulumi.secret(secrets[k])),
    };
}

describe("resolveClusterSpec", () => {
    it("refuses one gateway replica unless gateway.allowSingleReplica is set", () => {
        expect(() => resolveClusterSpec({ ...identity, gateway: { ...identity.gateway, replicas: 1 } }))
            .to.throw(ConfigError)
            .with.property("problems")
            .that.deep.equals(["gateway.replicas must be at least 2 unless gateway.allowSingleReplica is true, got 1"]);
        const dev = resolveClusterSpec({
            ...identity,
            gateway: { ...identity.gateway, replicas: 1, allowSingleReplica: true },
        });
        expect([dev.gateway.replicas, dev.gateway.allowSingleReplica]).to.deep.equal([1, true]);
    });

    it("takes a credentials generation and refuses a negative one", () => {
        expect(
            resolveClusterSpec({ ...identity, pki: { credentialsGeneration: 4 } }).pki.credentialsGeneration,
        ).to.equal(4);
        expect(() => resolveClusterSpec({ ...identity, pki: { credentialsGeneration: -1 } }))
            .to.throw(ConfigError)
            .with.property("problems")
            .that.deep.equals(["pki.credentialsGeneration must be a whole number >= 0, got -1"]);
    });

    it("applies the documented defaults", () => {
        const spec = resolveClusterSpec(identity);
        expect(spec.gateway).to.deep.include({ replicas: 2, serviceType: "LoadBalancer", maxBodySize: "16m" });
        expect(spec.pki).to.deep.equal({ validityHours: 8760, earlyRenewalHours: 720, credentialsGeneration: 0 });
        expect(spec.gateway.allowSingleReplica).to.equal(false);
        expect(spec.monitoring).to.deep.include({
            enabled: true,
            scrapeInterval: "30s",
            replicas: 1,
            nodeExporter: false,
        });
        // vmagent, the default agent, with its defaults.
        expect(spec.monitoring).to.deep.include({ agent: "vmagent" });
        expect(spec.monitoring.resources).to.deep.equal({
            requests: { cpu: "50m", memory: "128Mi" },
            limits: { cpu: "1", memory: "1Gi" },
        });
        expect(spec.logging).to.deep.include({ enabled: true, agent: "alloy" });
        expect(spec.tenant.retention).to.deep.equal({ metrics: "168h", logs: "168h" });
        expect(spec.suspended).to.equal(false);
    });

    it("keeps explicit values, including zero and false, and merges resources per quantity", () => {
        const spec = resolveClusterSpec({
            ...identity,
            monitoring: { replicas: 0, enabled: false, resources: { limits: { memory: "8Gi" } } },
            gateway: { ...identity.gateway, metricsWriteLimit: { burst: 0 } },
        });
        expect(spec.monitoring.replicas).to.equal(0);
        expect(spec.monitoring.enabled).to.equal(false);
        expect(spec.monitoring.resources).to.deep.equal({
            requests: { cpu: "50m", memory: "128Mi" },
            limits: { cpu: "1", memory: "8Gi" },
        });
        // Another agent brings its own defaults; given quantities still win.
        const prometheus = resolveClusterSpec({
            ...identity,
            monitoring: { agent: "prometheus", resources: { limits: { memory: "8Gi" } } },
        });
        expect(prometheus.monitoring.resources).to.deep.equal({
            requests: { cpu: "100m", memory: "256Mi" },
            limits: { cpu: "1", memory: "8Gi" },
        });
        expect(spec.gateway.metricsWriteLimit).to.deep.equal({ requestsPerSecond: 100, burst: 0 });
        expect(CLUSTER_DEFAULTS.monitoring.replicas).to.equal(1);
    });

    it("lists every semantic problem in one ConfigError", () => {
        const bad: ClusterSpecInput = {
            ...identity,
            clusterId: "C1",
            project: "a_b",
            gateway: { externalHostnames: ["Bad_Host"], replicas: 0, queryLimit: { requestsPerSecond: 0 } },
            pki: { validityHours: 100, earlyRenewalHours: 100 },
            monitoring: { scrapeInterval: "30 seconds", customScrapeConfigs: [{ job_name: "kubelet" }] },
            tenant: { retention: { metrics: "1 week" } },
        };
        expect(() => resolveClusterSpec(bad))
            .to.throw(ConfigError)
            .with.property("problems")
            .that.deep.equals([
                'clusterId must be a DNS-1123 label of at most 55 characters, got "C1"',
                'project must be a DNS-1123 label, got "a_b"',
                'gateway.externalHostnames[0] must be a lower-case DNS name, got "Bad_Host"',
                "gateway.replicas must be a whole number >= 1, got 0",
                "gateway.queryLimit.requestsPerSecond must be a number > 0, got 0",
                "pki.earlyRenewalHours must be a whole number >= 1 and below pki.validityHours (100), got 100",
                'monitoring.scrapeInterval must be a duration like 30s, got "30 seconds"',
                'monitoring.customScrapeConfigs custom scrape config job_name "kubelet" is used more than once or by a built-in job',
                'tenant.retention.metrics must be a duration such as "5m" or "168h", got "1 week"',
            ]);
    });

    it("refuses, with spec paths, everything the Tenant component would refuse later", () => {
        const bad: ClusterSpecInput = {
            ...identity,
            tenant: {
                alertmanagerConfig:
                    "route:\n  receiver: pager\nreceivers:\n  - name: ops\n    email_configs:\n      - auth_password_file: /etc/x\n",
                metricRuleGroups: [{ name: "m", rules: [{ alert: "Down", expr: "up == 0", for: "five minutes" }] }],
                logRuleGroups: [{ name: "l", rules: [{ alert: "Errors", expr: '{app="web"} |= "error"' }] }],
                metricsLimits: { maxSeriesPerUser: 0 },
                logsLimits: { perStreamRateLimit: "3" },
                retention: { logs: "12h" },
            },
        };
        expect(() => resolveClusterSpec(bad))
            .to.throw(ConfigError)
            .with.property("problems")
            .that.deep.equals([
                'tenant.alertmanagerConfig.route.receiver "pager" is not one of the receivers',
                "tenant.alertmanagerConfig.receivers[0].email_configs[0].auth_password_file refers to a local file, which the multi-tenant Alertmanager does not allow; put the value inline",
                'tenant.metricRuleGroups group "m" rule 1 (Down) for must be a duration such as "5m" or "168h", got "five minutes"',
                'tenant.logRuleGroups group "l" rule 1 (Errors): expr must be a LogQL metric query with a range, e.g. count_over_time({app="web"} |= "error" [5m]) > 0',
                "tenant.metricsLimits.maxSeriesPerUser must be a whole number > 0, got 0",
                'tenant.logsLimits.perStreamRateLimit must be a byte size such as "3MB", got "3"',
                'tenant.retention.logs must be at least 24h, got "12h"',
            ]);
        expect(
            resolveClusterSpec({ ...identity, tenant: { logsLimits: { perStreamRateLimit: "1.5MiB" } } }).tenant
                .logsLimits.perStreamRateLimit,
        ).to.equal("1.5MiB");
    });

    it("refuses a cluster id whose namespace cluster-<id> would exceed 63 characters", () => {
        expect(() => resolveClusterSpec({ ...identity, clusterId: "a".repeat(56) })).to.throw(
            /clusterId must be a DNS-1123 label of at most 55/,
        );
        expect(resolveClusterSpec({ ...identity, clusterId: "a".repeat(55) }).clusterId).to.have.length(55);
    });
});

describe("loadClusterSpec", () => {
    const secrets = { seedKubeconfig: "seed-kc", userKubeconfig: "user-kc" };
    const base = {
        clusterId: "c1",
        project: "shop",
        seedStack: "org/mla/seed",
        gateway: { externalHostnames: ["gw.example.com"] },
    };

    it("reads identity, secret kubeconfigs and objects, accepting CLI strings for numbers and booleans", async () => {
        const spec = loadClusterSpec(
            new ConfigReader(
                source(
                    {
                        ...base,
                        suspended: "true",
                        gateway: {
                            externalHostnames: ["gw.example.com"],
                            replicas: "3",
                            metricsWriteLimit: { requestsPerSecond: "0.5" },
                        },
                        monitoring: {
                            nodeExporter: "true",
                            customScrapeConfigs: [{ job_name: "app", static_configs: [] }],
                        },
                        logging: { agent: "promtail" },
                    },
                    secrets,
                ),
            ),
        );
        expect(spec.suspended).to.equal(true);
        expect(spec.gateway.replicas).to.equal(3);
        expect(spec.gateway.metricsWriteLimit).to.deep.equal({ requestsPerSecond: 0.5, burst: 200 });
        expect(spec.monitoring.nodeExporter).to.equal(true);
        expect(spec.monitoring.customScrapeConfigs).to.deep.equal([{ job_name: "app", static_configs: [] }]);
        expect(spec.logging.agent).to.equal("promtail");
        expect(await pulumi.isSecret(pulumi.output(spec.userKubeconfig))).to.equal(true);
    });

    it("reports missing keys, type errors, unknown settings and semantic problems together", () => {
        const reader = new ConfigReader(
            source({
                project: "shop",
                seedStack: "org/mla/seed",
                gateway: { externalHostnames: ["gw.example.com"], replica: 3, replicas: "two" },
                logging: { agent: "fluentd" },
            }),
        );
        expect(() => loadClusterSpec(reader))
            .to.throw(ConfigError)
            .with.property("problems")
            .that.deep.equals([
                "mla:gateway.replica is not a known setting (known: externalHostnames, externalIps, serviceType, replicas, allowSingleReplica, metricsWriteLimit, logsWriteLimit, queryLimit, maxBodySize)",
                "mla:clusterId is required",
                "mla:seedKubeconfig is required (pulumi config set --secret mla:seedKubeconfig < kubeconfig.yaml)",
                "mla:userKubeconfig is required (pulumi config set --secret mla:userKubeconfig < kubeconfig.yaml)",
                'mla:gateway.replicas must be a whole number, got "two"',
                'mla:logging.agent must be one of alloy, promtail, got "fluentd"',
            ]);
    });

    it("accepts Pulumi.cluster-example.yaml as shipped", () => {
        const file = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.cluster-example.yaml"), "utf8")).config;
        const values = Object.fromEntries(
            Object.entries(file)
                .filter(([k]) => k.startsWith("mla:"))
                .map(([k, v]) => [k.slice(4), v]),
        );
        const spec = loadClusterSpec(new ConfigReader(source(values, secrets)));
        expect(spec.clusterId).to.equal("c1");
        expect(spec.monitoring.customScrapeConfigs.map((c) => c.job_name)).to.deep.equal(["ingress-nginx"]);
        expect(file["pulumi:disable-default-providers"]).to.deep.equal(["kubernetes"]);
    });
});
