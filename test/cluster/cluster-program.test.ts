import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_CERTIFICATES } from "../../components/pki/pki-renewal";
import {
    installMocks,
    MOCK_ISSUED_AT,
    ofType,
    promiseOf,
    resetResources,
    setStackOutputs,
    settledResources,
    type RecordedResource,
} from "../support/mocks";
import { assertAllSchemaValid } from "../support/k8s-schema";

installMocks();

import { clusterProgram } from "../../programs/cluster";
import { resolveClusterSpec } from "../../spec/cluster-defaults";
import { type ClusterSpecInput } from "../../spec/cluster-input";

const SEED = "org/mla/seed-eu1";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** The project stack of project "shop" on SEED, which holds the org. */
const PROJECT_STACK = `${SEED}.shop`;
setStackOutputs(PROJECT_STACK, { project: "shop", grafanaOrgId: 42 });

setStackOutputs(SEED, {
    namespace: "mla",
    metricsPushUrl: "http://cortex-distributor.mla.svc:8080/api/v1/push",
    metricsQueryUrl: "http://cortex-query-frontend.mla.svc:8080/prometheus",
    alertmanagerUrl: "http://cortex-alertmanager.mla.svc:8080/api/prom/alertmanager",
    metricsRulerUrl: "http://cortex-ruler.mla.svc:8080/prometheus",
    logsPushUrl: "http://loki-distributor.mla.svc:3100/loki/api/v1/push",
    logsQueryUrl: "http://loki-query-frontend.mla.svc:3100",
    logsRulerUrl: "http://loki-ruler.mla.svc:3100",
    grafanaUrl: "http://grafana.mla.svc",
    grafanaNamespace: "mla",
    grafanaAdminPassword: "seed-grafana-password",
    metricsPurgerUrl: "http://cortex-purger.mla.svc:8080",
    logsDeleteUrl: "http://loki-compactor.mla.svc:3100",
    tenantDelivery: {},
    adminMetricRuleGroups: [{ name: "seed-admin", rules: [{ alert: "SeedAdminAlert", expr: "up == 0" }] }],
    adminLogRuleGroups: [],
});

function input(over: Partial<ClusterSpecInput> = {}): ClusterSpecInput {
    return {
        clusterId: "c1",
        project: "shop",
        seedStack: SEED,
        seedKubeconfig: pulumi.secret("seed-kubeconfig"),
        userKubeconfig: pulumi.secret("user-kubeconfig"),
        gateway: { externalHostnames: ["mla-c1.example.com"] },
        ...over,
    };
}

async function run(over: Partial<ClusterSpecInput> = {}) {
    resetResources();
    const outputs = await clusterProgram(resolveClusterSpec(input(over)));
    return { outputs, resources: await settledResources() };
}

const providerUrn = (name: string) => `urn:pulumi:test::mla::pulumi:providers:kubernetes::${name}`;
const providerOf = (r: RecordedResource) => r.provider?.split("::").slice(0, -1).join("::");
const kubeObjects = (rs: RecordedResource[]) => rs.filter((r) => r.custom && r.type.startsWith("kubernetes:"));

describe("clusterProgram", () => {
    it("puts the namespace, PKI-fed gateway objects on the seed provider and every agent object on the user provider", async () => {
        const { resources } = await run();
        const objects = kubeObjects(resources);
        const seedSide = objects.filter((r) => !r.name.startsWith("agents"));
        const userSide = objects.filter((r) => r.name.startsWith("agents"));
        expect(seedSide.map((r) => r.name).sort()).to.deep.equal(
            [
                "cluster-namespace",
                "gateway",
                "gateway-config",
                "gateway-network-policy",
                "gateway-pdb",
                "gateway-read-token",
                "gateway-read",
                "gateway-tls",
                "gateway-write",
                "tenant-alertmanager",
                "tenant-cortex-overrides",
                "tenant-datasources",
                "tenant-log-rules",
                "tenant-loki-overrides",
                "tenant-metric-rules",
            ].sort(),
        );
        expect(userSide).to.have.length.greaterThan(10);
        for (const r of seedSide) expect(providerOf(r), `${r.type} ${r.name}`).to.equal(providerUrn("seed"));
        for (const r of userSide) expect(providerOf(r), `${r.type} ${r.name}`).to.equal(providerUrn("user"));
        // No Kubernetes resource at all may rely on the ambient default provider.
        for (const r of objects)
            expect(r.provider, `${r.type} ${r.name}`).to.match(
                /^urn:pulumi:test::mla::pulumi:providers:kubernetes::(seed|user)::/,
            );
        await assertAllSchemaValid(resources);
    });

    it("rotates credentials: a raised pki.credentialsGeneration gives a new CA, certificates and read token, and rolls the gateway and the agents", async () => {
        const rolled = (resources: RecordedResource[]) => ({
            gateway: ofType(resources, "kubernetes:apps/v1:Deployment").find((r) => r.name === "gateway")!.inputs.spec
                .template.metadata.annotations,
            metrics: ofType(resources, "kubernetes:apps/v1:Deployment").find((r) => r.name === "agents-metrics")!.inputs
                .spec.template.metadata.annotations,
            logs: ofType(resources, "kubernetes:apps/v1:DaemonSet").find((r) => r.name === "agents-logs")!.inputs.spec
                .template.metadata.annotations,
        });
        const credentialNames = (resources: RecordedResource[]) =>
            resources
                .filter((r) => r.type.startsWith("tls:") || r.type.startsWith("random:"))
                .map((r) => `${r.type}::${r.name}`);
        const before = await run();
        const after = await run({ pki: { credentialsGeneration: 1 } });
        // Every key, certificate and the token is a new resource (new URN): Pulumi replaces them all.
        expect(
            credentialNames(after.resources).filter((n) => credentialNames(before.resources).includes(n)),
        ).to.deep.equal([]);
        expect(credentialNames(after.resources))
            .to.have.length(credentialNames(before.resources).length)
            .and.to.include("tls:index/selfSignedCert:SelfSignedCert::pki-g1-ca");
        const [b, a] = [rolled(before.resources), rolled(after.resources)];
        for (const k of ["gateway", "metrics", "logs"] as const) expect(a[k], k).to.not.deep.equal(b[k]);
        // The gateway's CA, its read-token Secret and the datasources all carry the new generation's material.
        const secret = (rs: RecordedResource[], name: string) =>
            ofType(rs, "kubernetes:core/v1:Secret").find((r) => r.name === name)!.inputs.stringData.value;
        expect(secret(after.resources, "gateway-tls")["ca.crt"]).to.include("MOCK-pki-g1-ca");
        expect(secret(after.resources, "gateway-read-token").token).to.equal("generated-pki-g1-read-token");
        expect(Object.values(secret(after.resources, "tenant-datasources"))[0]).to.include(
            "httpHeaderValue1: generated-pki-g1-read-token",
        );
    });

    it("runs one gateway replica without a PDB only when gateway.allowSingleReplica is set", async () => {
        const { resources } = await run({
            gateway: { externalHostnames: ["mla-c1.example.com"], replicas: 1, allowSingleReplica: true },
        });
        expect(
            ofType(resources, "kubernetes:apps/v1:Deployment").find((r) => r.name === "gateway")!.inputs.spec.replicas,
        ).to.equal(1);
        expect(ofType(resources, "kubernetes:policy/v1:PodDisruptionBudget")).to.deep.equal([]);
    });

    it("creates the seed namespace cluster-<id> and the PKI's CA and three certificates", async () => {
        const { resources } = await run();
        const ns = ofType(resources, "kubernetes:core/v1:Namespace").find((r) => r.name === "cluster-namespace")!;
        expect(ns.inputs.metadata.name).to.equal("cluster-c1");
        expect(
            ofType(resources, "tls:index/locallySignedCert:LocallySignedCert")
                .map((r) => r.name)
                .sort(),
        ).to.deep.equal(["pki-log-agent", "pki-metrics-agent", "pki-server"]);
        expect(ofType(resources, "mla:pki:ClusterPki")).to.have.length(1);
    });

    it("passes both kubeconfigs to their providers as secrets", async () => {
        const { resources } = await run();
        const providers = ofType(resources, "pulumi:providers:kubernetes");
        expect(providers.map((p) => p.name).sort()).to.deep.equal(["seed", "user"]);
        for (const p of providers) {
            expect(p.inputs.kubeconfig, p.name).to.have.property(SECRET_SIG);
            expect(p.inputs.kubeconfig.value).to.equal(`${p.name}-kubeconfig`);
            expect(p.inputs.suppressDeprecationWarnings).to.equal("true");
        }
    });

    it("points the gateway at the seed's endpoints and the agents at the gateway", async () => {
        const { resources } = await run();
        const nginx = ofType(resources, "kubernetes:core/v1:ConfigMap").find((r) => r.name === "gateway-config")!.inputs
            .data["nginx.conf"];
        expect(nginx).to.contain("cortex-distributor.mla.svc:8080");
        // vmagent by default: the external label in its scrape config, the push URL in its flags.
        const scrape = ofType(resources, "kubernetes:core/v1:ConfigMap").find(
            (r) => r.name === "agents-metrics-config",
        )!.inputs.data["vmagent.yml"];
        expect(scrape).to.contain("cluster: c1");
        const agent = ofType(resources, "kubernetes:apps/v1:Deployment").find((r) => r.name === "agents-metrics")!
            .inputs.spec.template.spec.containers[0];
        expect(agent.args).to.include("-remoteWrite.url=https://mla-c1.example.com/api/v1/push");
    });

    it("with logging off creates no DaemonSet, no log-agent objects and no host-agents namespace", async () => {
        const { resources, outputs } = await run({ logging: { enabled: false } });
        expect(ofType(resources, "kubernetes:apps/v1:DaemonSet")).to.deep.equal([]);
        expect(kubeObjects(resources).filter((r) => r.name.startsWith("agents") && /log/.test(r.name))).to.deep.equal(
            [],
        );
        const agentNamespaces = ofType(resources, "kubernetes:core/v1:Namespace").filter((r) =>
            r.name.startsWith("agents"),
        );
        expect(agentNamespaces.map((r) => r.inputs.metadata.name)).to.deep.equal(["mla-system"]);
        expect(await promiseOf(outputs.hostAgentsNamespace)).to.equal(undefined);
        await assertAllSchemaValid(resources);
    });

    it("outputs both agent namespaces when the log agent is on", async () => {
        const { outputs } = await run();
        expect(await promiseOf(outputs.agentsNamespace)).to.equal("mla-system");
        expect(await promiseOf(outputs.hostAgentsNamespace)).to.equal("mla-host-agents");
    });

    it("returns outputs without keys; the read token is the only secret one", async () => {
        const { outputs } = await run();
        expect(Object.keys(outputs).sort()).to.deep.equal(
            [
                "agentsNamespace",
                "caCertPem",
                "certificateNotAfter",
                "gatewayReadToken",
                "clusterId",
                "gatewayHostnames",
                "gatewayReadUrl",
                "gatewayUrl",
                "gatewayWriteService",
                "grafanaOrgId",
                "hostAgentsNamespace",
                "loggingEnabled",
                "monitoringEnabled",
                "project",
                "seedNamespace",
                "suspended",
            ].sort(),
        );
        for (const [key, value] of Object.entries(outputs)) {
            const output: pulumi.Output<unknown> = pulumi.output(value);
            const resolved = await new Promise((resolve) => {
                output.apply(resolve);
            });
            expect(JSON.stringify(resolved), key).not.to.match(/PRIVATE KEY|kubeconfig/);
            expect(await pulumi.isSecret(output), key).to.equal(key === "gatewayReadToken");
        }
        expect(outputs.gatewayUrl).to.equal("https://mla-c1.example.com");
    });

    it("exports every certificate's notAfter, each from its own certificate's validity", async () => {
        const { outputs } = await run({ pki: { validityHours: 2000, earlyRenewalHours: 100 } });
        const at = (hours: number) => new Date(MOCK_ISSUED_AT + hours * 3600_000).toISOString();
        expect(await promiseOf(outputs.certificateNotAfter)).to.deep.equal({
            ca: at(87600),
            server: at(2000),
            metricsAgent: at(2000),
            logAgent: at(2000),
        });
        expect(Object.keys((await promiseOf(outputs.certificateNotAfter)) as object)).to.deep.equal([
            ...CLUSTER_CERTIFICATES,
        ]);
    });

    it("applies the seed's admin rule groups to the tenant, next to the owner's", async () => {
        const { resources } = await run({
            tenant: { metricRuleGroups: [{ name: "owner", rules: [{ record: "x:sum", expr: "sum(x)" }] }] },
        });
        const rules = ofType(resources, "kubernetes:core/v1:ConfigMap").find((r) => r.name === "tenant-metric-rules")!;
        const text = Object.values(rules.inputs.data as Record<string, string>).join("\n");
        expect(text).to.contain("SeedAdminAlert").and.to.contain("x:sum");
        expect(rules.inputs.metadata.namespace).to.equal("mla");
    });

    it("reads the org id from the project stack, or takes seedApi.grafanaOrgId, and creates no Grafana resource itself", async () => {
        const datasourceOrgIds = (resources: RecordedResource[]) => {
            // A Secret: the file carries the gateway's read token.
            const ds = ofType(resources, "kubernetes:core/v1:Secret").find((r) => r.name === "tenant-datasources")!;
            return [
                ...String(Object.values(ds.inputs.stringData.value as Record<string, string>)[0]).matchAll(
                    /orgId: (\d+)/g,
                ),
            ].map((m) => Number(m[1]));
        };
        const fromProject = await run();
        const references = ofType(fromProject.resources, "pulumi:pulumi:StackReference").map((r) => r.inputs.name);
        expect(references).to.deep.equal([SEED, PROJECT_STACK]);
        expect(datasourceOrgIds(fromProject.resources)).to.deep.equal([42, 42, 42]);
        expect(await promiseOf(fromProject.outputs.grafanaOrgId)).to.equal(42);
        const given = await run({ seedApi: { grafanaOrgId: 7 } });
        expect(ofType(given.resources, "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).to.deep.equal([SEED]);
        expect(datasourceOrgIds(given.resources)).to.deep.equal([7, 7, 7]);
        for (const run of [fromProject, given]) {
            expect(
                run.resources.filter((r) => r.type.startsWith("grafana:") || r.type.includes("GrafanaOrg")),
            ).to.deep.equal([]);
        }
    });

    it("suspends by switching the gateway's write routes to 503", async () => {
        const { resources } = await run({ suspended: true });
        const nginx = ofType(resources, "kubernetes:core/v1:ConfigMap").find((r) => r.name === "gateway-config")!.inputs
            .data["nginx.conf"];
        expect(nginx).to.contain("return 503;").and.to.contain("Retry-After");
    });

    it("with purge on, adds the purge resource at the seed's deletion endpoints", async () => {
        const { resources } = await run({ tenant: { purgeOnDestroy: true } });
        const purges = ofType(resources, "pulumi-nodejs:dynamic/mla:TenantPurge");
        expect(purges.map((r) => [r.inputs.tenantId, r.inputs.cortexUrl, r.inputs.lokiUrl])).to.deep.equal([
            ["c1", "http://cortex-purger.mla.svc:8080", "http://loki-compactor.mla.svc:3100"],
        ]);
        const without = await run();
        expect(ofType(without.resources, "pulumi-nodejs:dynamic/mla:TenantPurge")).to.deep.equal([]);
    });
});
