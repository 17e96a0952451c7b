import { expect } from "chai";
import { createHash } from "node:crypto";
import {
    installMocks,
    ofType,
    promiseOf,
    resetResources,
    settledResources,
    type RecordedResource,
} from "../support/mocks";
import { assertAllSchemaValid } from "../support/k8s-schema";

installMocks();

// Imported after the mocks, as the Pulumi SDK requires.
import * as k8s from "@pulumi/kubernetes";
import { Agents } from "../../components/agents/agents";
import type { AgentsArgs } from "../../components/agents/agents-args";
import { renderAgentConfigs } from "../../components/agents/agent-configs";
import { SCRAPE_CONFIG_FIELDS } from "../../spec/checks/scrape-config-fields";
import { restrictedViolations } from "./pod-security-check";
import { parse } from "yaml";

/** Parsed YAML and recorded inputs, walked freely by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the assertions themselves check the shape
type Loose = any;

const tls = {
    caCertPem: "CA",
    metricsClientCertPem: "M-CERT",
    metricsClientKeyPem: "M-KEY",
    logsClientCertPem: "L-CERT",
    logsClientKeyPem: "L-KEY",
};

type ArgsOverride = {
    monitoring?: Partial<AgentsArgs["monitoring"]>;
    logging?: Partial<AgentsArgs["logging"]>;
    namespace?: string;
    hostAgentsNamespace?: string;
};

function args(over: ArgsOverride = {}): AgentsArgs {
    return {
        clusterId: "c1",
        namespace: over.namespace,
        hostAgentsNamespace: over.hostAgentsNamespace,
        gatewayUrl: "https://mla-c1.example.com",
        tls,
        monitoring: { enabled: true, ...over.monitoring },
        logging: { enabled: true, ...over.logging },
    };
}

async function deploy(a: AgentsArgs): Promise<{ resources: RecordedResource[]; agents: Agents; providerUrn: string }> {
    resetResources();
    const provider = new k8s.Provider("user", { kubeconfig: "fake", suppressDeprecationWarnings: true });
    const agents = new Agents("agents", a, { providers: { kubernetes: provider } });
    // A provider reference is `<urn>::<id>`; the URN identifies the provider.
    const urn = await promiseOf(provider.urn);
    return { resources: await settledResources(), agents, providerUrn: urn };
}

const k8sObjects = (rs: RecordedResource[]) => rs.filter((r) => r.type.startsWith("kubernetes:") && r.custom);
const names = (rs: RecordedResource[], type: string) => ofType(rs, type).map((r) => r.name);
const podSpec = (r: RecordedResource) => r.inputs.spec.template.spec;

describe("Agents", () => {
    it("creates both namespaces, both agents with RBAC, TLS Secrets and configs, all through the given provider", async () => {
        const { resources, providerUrn } = await deploy(args());
        const objects = k8sObjects(resources);
        expect(objects.map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal(
            [
                "kubernetes:core/v1:Namespace agents-namespace",
                "kubernetes:core/v1:Namespace agents-host-namespace",
                "kubernetes:core/v1:ServiceAccount agents-metrics-agent-sa",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole agents-metrics-agent-role",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding agents-metrics-agent-binding",
                "kubernetes:core/v1:Secret agents-metrics-tls",
                "kubernetes:core/v1:ConfigMap agents-metrics-config",
                "kubernetes:apps/v1:Deployment agents-metrics",
                "kubernetes:core/v1:ServiceAccount agents-log-agent-sa",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole agents-log-agent-role",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding agents-log-agent-binding",
                "kubernetes:core/v1:Secret agents-logs-tls",
                "kubernetes:core/v1:ConfigMap agents-logs-config",
                "kubernetes:apps/v1:DaemonSet agents-logs",
            ].sort(),
        );
        for (const r of objects)
            expect(r.provider?.split("::").slice(0, -1).join("::"), `${r.type} ${r.name}`).to.equal(providerUrn);
        await assertAllSchemaValid(resources);
    });

    it("deploys the same config bytes `mla render agent` writes, and rolls pods on a config change (prometheus)", async () => {
        const a = args({
            monitoring: {
                agent: "prometheus",
                customScrapeConfigs: [{ job_name: "x", static_configs: [{ targets: ["a:1"] }] }],
            },
        });
        const { resources } = await deploy(a);
        const expected = renderAgentConfigs({
            clusterId: "c1",
            gatewayUrl: "https://mla-c1.example.com",
            monitoring: { enabled: true, agent: "prometheus", customScrapeConfigs: a.monitoring.customScrapeConfigs },
            logging: { enabled: true },
        });
        const cm = (n: string) =>
            ofType(resources, "kubernetes:core/v1:ConfigMap").find((r) => r.name === n)!.inputs.data;
        expect(cm("agents-metrics-config")).to.deep.equal({ "prometheus.yml": expected["prometheus.yml"] });
        expect(cm("agents-logs-config")).to.deep.equal({ "config.alloy": expected["config.alloy"] });
        const deployment = ofType(resources, "kubernetes:apps/v1:Deployment")[0];
        const sum = createHash("sha256").update(expected["prometheus.yml"]).digest("hex");
        expect(deployment.inputs.spec.template.metadata.annotations).to.deep.equal({ "mla.dev/config-checksum": sum });
    });

    it("puts the client certificate, key and CA into kubernetes.io/tls Secrets per agent", async () => {
        const { resources } = await deploy(args());
        const secrets = ofType(resources, "kubernetes:core/v1:Secret");
        // The engine sees stringData as a secret value (the key is a secret Output).
        const SECRET_SIG = "4dabf18193072939515e22adb298388d";
        for (const s of secrets) expect(s.inputs.stringData).to.have.property(SECRET_SIG);
        expect(secrets.map((s) => [s.inputs.metadata.name, s.inputs.type, s.inputs.stringData.value])).to.deep.equal([
            ["mla-metrics-agent-tls", "kubernetes.io/tls", { "ca.crt": "CA", "tls.crt": "M-CERT", "tls.key": "M-KEY" }],
            ["mla-log-agent-tls", "kubernetes.io/tls", { "ca.crt": "CA", "tls.crt": "L-CERT", "tls.key": "L-KEY" }],
        ]);
    });

    it("deploys vmagent by default, with the scrape config `mla render agent` writes, mTLS remote write and an on-disk buffer", async () => {
        const { resources } = await deploy(args());
        const expected = renderAgentConfigs({
            clusterId: "c1",
            gatewayUrl: "https://mla-c1.example.com",
            monitoring: { enabled: true },
            logging: { enabled: false },
        });
        expect(Object.keys(expected)).to.deep.equal(["vmagent.yml"]);
        const cm = ofType(resources, "kubernetes:core/v1:ConfigMap").find((r) => r.name === "agents-metrics-config")!
            .inputs.data;
        expect(cm).to.deep.equal({ "vmagent.yml": expected["vmagent.yml"] });
        const deployment = ofType(resources, "kubernetes:apps/v1:Deployment")[0];
        expect(deployment.name).to.equal("agents-metrics");
        const spec = podSpec(deployment);
        const [c] = spec.containers;
        expect(c.image).to.match(/^victoriametrics\/vmagent:v1\.\d+\.\d+$/);
        expect(c.args).to.deep.equal([
            "-promscrape.config=/etc/vmagent/vmagent.yml",
            "-promscrape.config.strictParse=true",
            "-httpListenAddr=:8429",
            "-remoteWrite.url=https://mla-c1.example.com/api/v1/push",
            "-remoteWrite.tlsCAFile=/etc/mla/tls/ca.crt",
            "-remoteWrite.tlsCertFile=/etc/mla/tls/tls.crt",
            "-remoteWrite.tlsKeyFile=/etc/mla/tls/tls.key",
            "-remoteWrite.tmpDataPath=/vmagent-data",
            "-remoteWrite.maxDiskUsagePerURL=1GiB",
        ]);
        expect(c.resources).to.deep.equal({
            requests: { cpu: "50m", memory: "128Mi" },
            limits: { cpu: "1", memory: "1Gi" },
        });
        expect(c.volumeMounts).to.deep.include({ name: "buffer", mountPath: "/vmagent-data" });
        expect(spec.volumes).to.deep.include({ name: "buffer", emptyDir: { sizeLimit: "2Gi" } });
        const sha = (t: string) => createHash("sha256").update(t).digest("hex");
        expect(deployment.inputs.spec.template.metadata.annotations).to.deep.equal({
            "mla.dev/config-checksum": sha(expected["vmagent.yml"]),
            "mla.dev/tls-checksum": sha("M-CERT"),
        });
        expect(restrictedViolations(spec)).to.deep.equal([]);
        await assertAllSchemaValid(resources);
    });

    it("runs Prometheus 3 in agent mode when asked, with a pod spec that passes PSS restricted", async () => {
        const { resources } = await deploy(args({ monitoring: { agent: "prometheus" } }));
        const spec = podSpec(ofType(resources, "kubernetes:apps/v1:Deployment")[0]);
        const [c] = spec.containers;
        expect(c.image).to.match(/^quay\.io\/prometheus\/prometheus:v3\.\d+\.\d+$/);
        expect(c.args).to.include("--agent");
        expect(c.resources).to.deep.equal({
            requests: { cpu: "100m", memory: "256Mi" },
            limits: { cpu: "1", memory: "4Gi" },
        });
        expect(spec.securityContext).to.include({ runAsNonRoot: true });
        expect(spec.securityContext.seccompProfile).to.deep.equal({ type: "RuntimeDefault" });
        expect(c.securityContext).to.deep.equal({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(spec.volumes.filter((v: Loose) => v.hostPath)).to.deep.equal([]);
        expect(spec.hostNetwork).to.equal(undefined);
    });

    it("runs the log agent on every node, reading /var/log/pods read-only", async () => {
        const { resources } = await deploy(args());
        const spec = podSpec(ofType(resources, "kubernetes:apps/v1:DaemonSet")[0]);
        expect(spec.tolerations).to.deep.equal([{ operator: "Exists" }]);
        expect(spec.containers[0].image).to.match(/^grafana\/alloy:v\d+\.\d+\.\d+$/);
        expect(spec.containers[0].volumeMounts).to.deep.include({
            name: "pod-logs",
            mountPath: "/var/log/pods",
            readOnly: true,
        });
    });

    it("grants only read verbs", async () => {
        const { resources } = await deploy(args({ monitoring: { kubeStateMetrics: true } }));
        const verbs = ofType(resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").flatMap((r) =>
            r.inputs.rules.flatMap((x: Loose) => x.verbs),
        );
        expect([...new Set(verbs)].sort()).to.deep.equal(["get", "list", "watch"]);
    });

    it("labels mla-system to enforce, warn and audit restricted, and mla-host-agents to enforce privileged with baseline warn/audit", async () => {
        const { resources, agents } = await deploy(args({ monitoring: { nodeExporter: true } }));
        const labels = Object.fromEntries(
            ofType(resources, "kubernetes:core/v1:Namespace").map((r) => [
                r.inputs.metadata.name,
                r.inputs.metadata.labels,
            ]),
        );
        const pss = (enforce: string, report: string) => ({
            "pod-security.kubernetes.io/enforce": enforce,
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": report,
            "pod-security.kubernetes.io/warn-version": "latest",
            "pod-security.kubernetes.io/audit": report,
            "pod-security.kubernetes.io/audit-version": "latest",
            "app.kubernetes.io/part-of": "mla",
        });
        expect(labels).to.deep.equal({
            "mla-system": pss("restricted", "restricted"),
            "mla-host-agents": pss("privileged", "baseline"),
        });
        expect(await promiseOf(agents.namespace)).to.equal("mla-system");
        expect(await promiseOf(agents.hostAgentsNamespace)).to.equal("mla-host-agents");
    });

    it("with logging and node-exporter off creates no host-agents namespace and no log agent objects", async () => {
        const { resources, agents } = await deploy(
            args({ monitoring: { kubeStateMetrics: true }, logging: { enabled: false } }),
        );
        expect(names(resources, "kubernetes:core/v1:Namespace")).to.deep.equal(["agents-namespace"]);
        expect(names(resources, "kubernetes:apps/v1:DaemonSet")).to.deep.equal([]);
        expect(k8sObjects(resources).filter((r) => /log/.test(r.name))).to.deep.equal([]);
        expect(k8sObjects(resources).filter((r) => r.inputs.metadata.namespace === "mla-host-agents")).to.deep.equal(
            [],
        );
        expect(await promiseOf(agents.hostAgentsNamespace)).to.equal(undefined);
        await assertAllSchemaValid(resources);
    });

    it("keeps the host-agents namespace for node-exporter alone, with only node-exporter in it", async () => {
        const { resources } = await deploy(args({ monitoring: { nodeExporter: true }, logging: { enabled: false } }));
        expect(names(resources, "kubernetes:core/v1:Namespace").sort()).to.deep.equal([
            "agents-host-namespace",
            "agents-namespace",
        ]);
        const inHost = k8sObjects(resources).filter((r) => r.inputs.metadata.namespace === "mla-host-agents");
        expect(inHost.map((r) => r.name).sort()).to.deep.equal(["agents-node-exporter", "agents-node-exporter-sa"]);
    });

    it("puts every object in the namespace its Pod Security level allows, and every pod in mla-system passes restricted", async () => {
        const { resources } = await deploy(args({ monitoring: { nodeExporter: true, kubeStateMetrics: true } }));
        const byNamespace = (ns: string) =>
            k8sObjects(resources)
                .filter((r) => r.inputs.metadata.namespace === ns)
                .map((r) => r.name)
                .sort();
        expect(byNamespace("mla-system")).to.deep.equal(
            [
                "agents-kube-state-metrics",
                "agents-kube-state-metrics-sa",
                "agents-metrics",
                "agents-metrics-agent-sa",
                "agents-metrics-config",
                "agents-metrics-tls",
            ].sort(),
        );
        expect(byNamespace("mla-host-agents")).to.deep.equal(
            [
                "agents-logs",
                "agents-log-agent-sa",
                "agents-logs-config",
                "agents-logs-tls",
                "agents-node-exporter",
                "agents-node-exporter-sa",
            ].sort(),
        );
        const workloads = [
            ...ofType(resources, "kubernetes:apps/v1:Deployment"),
            ...ofType(resources, "kubernetes:apps/v1:DaemonSet"),
        ];
        const restricted = workloads.filter((r) => r.inputs.metadata.namespace === "mla-system");
        expect(restricted.map((r) => r.name).sort()).to.deep.equal(["agents-kube-state-metrics", "agents-metrics"]);
        for (const r of restricted) expect(restrictedViolations(podSpec(r)), r.name).to.deep.equal([]);
        // The check can fail: the host agents are exactly what restricted rejects.
        for (const r of workloads.filter((w) => w.inputs.metadata.namespace === "mla-host-agents")) {
            expect(restrictedViolations(podSpec(r)), r.name).to.include.members([
                `volume ${r.name === "agents-logs" ? "pod-logs" : "proc"} is hostPath`,
            ]);
        }
        await assertAllSchemaValid(resources);
    });

    it("binds each ClusterRole to the service account in the namespace it runs in", async () => {
        const { resources } = await deploy(
            args({
                monitoring: { nodeExporter: true, kubeStateMetrics: true },
                namespace: "obs",
                hostAgentsNamespace: "obs-host",
            }),
        );
        const subjects = ofType(resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").map((r) => [
            r.name,
            r.inputs.subjects,
        ]);
        expect(Object.fromEntries(subjects)).to.deep.equal({
            "agents-metrics-agent-binding": [{ kind: "ServiceAccount", name: "mla-metrics-agent", namespace: "obs" }],
            "agents-kube-state-metrics-binding": [
                { kind: "ServiceAccount", name: "mla-kube-state-metrics", namespace: "obs" },
            ],
            "agents-log-agent-binding": [{ kind: "ServiceAccount", name: "mla-log-agent", namespace: "obs-host" }],
        });
        const sa = (n: string) =>
            ofType(resources, "kubernetes:core/v1:ServiceAccount").find((r) => r.name === n)!.inputs.metadata;
        expect(sa("agents-log-agent-sa")).to.deep.equal({ name: "mla-log-agent", namespace: "obs-host" });
        expect(sa("agents-node-exporter-sa")).to.deep.equal({ name: "mla-node-exporter", namespace: "obs-host" });
        await assertAllSchemaValid(resources);
    });

    it("scrapes node-exporter in the host-agents namespace and kube-state-metrics in the restricted one", async () => {
        const { agents } = await deploy(
            args({
                monitoring: { nodeExporter: true, kubeStateMetrics: true },
                namespace: "obs",
                hostAgentsNamespace: "obs-host",
            }),
        );
        const jobs = parse((await promiseOf(agents.configFiles))["vmagent.yml"]).scrape_configs as {
            job_name: string;
            kubernetes_sd_configs?: unknown;
        }[];
        const sd = (job: string) => jobs.find((j) => j.job_name === job)!.kubernetes_sd_configs;
        expect(sd("node-exporter")).to.deep.equal([{ role: "pod", namespaces: { names: ["obs-host"] } }]);
        expect(sd("kube-state-metrics")).to.deep.equal([{ role: "pod", namespaces: { names: ["obs"] } }]);
    });

    it("with monitoring off creates no metrics agent objects", async () => {
        const { resources } = await deploy(args({ monitoring: { enabled: false, nodeExporter: true } }));
        expect(names(resources, "kubernetes:apps/v1:Deployment")).to.deep.equal([]);
        expect(k8sObjects(resources).filter((r) => /metrics|exporter/.test(r.name))).to.deep.equal([]);
    });

    it("adds node-exporter and kube-state-metrics with their scrape jobs when asked", async () => {
        const { resources, agents } = await deploy(
            args({ monitoring: { nodeExporter: true, kubeStateMetrics: true } }),
        );
        expect(names(resources, "kubernetes:apps/v1:DaemonSet").sort()).to.deep.equal([
            "agents-logs",
            "agents-node-exporter",
        ]);
        expect(names(resources, "kubernetes:apps/v1:Deployment").sort()).to.deep.equal([
            "agents-kube-state-metrics",
            "agents-metrics",
        ]);
        const config = (await promiseOf(agents.configFiles))["vmagent.yml"];
        expect(config).to.contain("job_name: node-exporter").and.to.contain("job_name: kube-state-metrics");
        await assertAllSchemaValid(resources);
    });

    it("deploys Promtail with promtail.yaml when asked", async () => {
        const { resources } = await deploy(args({ logging: { agent: "promtail" } }));
        const ds = ofType(resources, "kubernetes:apps/v1:DaemonSet")[0];
        expect(podSpec(ds).containers[0].image).to.match(/^grafana\/promtail:\d+\.\d+\.\d+$/);
        expect(Object.keys(ofType(resources, "kubernetes:core/v1:ConfigMap")[1].inputs.data)).to.deep.equal([
            "promtail.yaml",
        ]);
        await assertAllSchemaValid(resources);
    });

    it("refuses one namespace for both Pod Security levels", () => {
        expect(() => new Agents("same", { ...args(), namespace: "mla-host-agents" })).to.throw(
            'invalid Agents "same": 1 problem:\n  - namespace and hostAgentsNamespace must differ, both are "mla-host-agents"',
        );
    });

    it("rejects bad args with every problem in one error", () => {
        const bad: AgentsArgs = {
            ...args(),
            clusterId: "C_1",
            hostAgentsNamespace: "Host_NS",
            gatewayUrl: "http://gw",
            monitoring: {
                enabled: true,
                agent: "victoria" as never,
                replicas: -1,
                customScrapeConfigs: [{ job_name: "kubelet" }, { job_name: "app", remote_write: [] }],
            },
        };
        expect(() => new Agents("bad", bad)).to.throw(
            [
                'invalid Agents "bad": 7 problems:',
                '  - clusterId "C_1" must be a DNS-1123 label',
                '  - hostAgentsNamespace "Host_NS" must be a DNS-1123 label',
                '  - gatewayUrl "http://gw" must be https://host[:port]',
                "  - monitoring.replicas -1 must be a whole number >= 0",
                '  - monitoring: custom scrape config job_name "kubelet" is used more than once or by a built-in job',
                `  - monitoring: custom scrape config "app": unknown field "remote_write" (the metrics agents accept ${SCRAPE_CONFIG_FIELDS.join(", ")})`,
                '  - monitoring.agent "victoria" must be vmagent or prometheus',
            ].join("\n"),
        );
    });
});
