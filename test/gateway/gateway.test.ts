/** The Gateway component under mocks: its objects, their security settings and the roll checksum. */
import { expect } from "chai";
import { installMocks, resetResources, settledResources, findResource, ofType, promiseOf } from "../support/mocks";
import { assertAllSchemaValid } from "../support/k8s-schema";
import { Gateway, type GatewayArgs } from "../../components/gateway/gateway";
import { CHECKSUM_ANNOTATION } from "../../components/gateway/checksum";
import { DEFAULT_LIMITS, renderNginxConfig } from "../../components/gateway/nginx-config";
import { inClusterConfigParams } from "../../components/gateway/layout";
import { GRAFANA_POD_LABELS } from "../../components/seed/network-policies";
import { grafanaValues } from "../../components/seed/grafana-values";
import { defaultSeedPlan } from "../../spec/seed-plan";

installMocks();

const UPSTREAMS = {
    metricsPushUrl: "http://cortex-distributor.mla.svc:8080/api/v1/push",
    logsPushUrl: "http://loki-distributor.mla.svc:3100/loki/api/v1/push",
    metricsQueryUrl: "http://cortex-query-frontend.mla.svc:8080/prometheus",
    logsQueryUrl: "http://loki-query-frontend.mla.svc:3100",
    alertmanagerUrl: "http://cortex-alertmanager.mla.svc:8080/api/prom/alertmanager",
    metricsRulerUrl: "http://cortex-ruler.mla.svc:8080/prometheus",
    logsRulerUrl: "http://loki-ruler.mla.svc:3100",
};
const TLS = { caCertPem: "CA-1", serverCertPem: "SERVER-1", serverKeyPem: "KEY-1" };
const READ_TOKEN = "Tok3n".repeat(8);

function args(change: Partial<GatewayArgs> = {}): GatewayArgs {
    return {
        clusterId: "c1",
        grafanaNamespace: "mla-grafana",
        upstreams: UPSTREAMS,
        tls: TLS,
        readToken: READ_TOKEN,
        ...change,
    };
}

/** Marks a serialized secret value in Pulumi's wire format. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

async function checksumOf(name: string, a: GatewayArgs): Promise<string> {
    new Gateway(name, a);
    const deployment = findResource(await settledResources(), DEPLOYMENT, name);
    return deployment.inputs.spec.template.metadata.annotations[CHECKSUM_ANNOTATION];
}

describe("Gateway", () => {
    beforeEach(() => resetResources());

    it("creates exactly the gateway's objects, all schema-valid, in cluster-<id>", async () => {
        new Gateway("gw", args());
        const resources = await settledResources();
        const objects = await assertAllSchemaValid(resources);
        expect(
            objects.map((r) => [r.type, r.name, r.inputs.metadata.name, r.inputs.metadata.namespace]),
        ).to.have.deep.members([
            ["kubernetes:core/v1:ConfigMap", "gw-config", "mla-gateway-config", "cluster-c1"],
            ["kubernetes:core/v1:Secret", "gw-tls", "mla-gateway-tls", "cluster-c1"],
            ["kubernetes:core/v1:Secret", "gw-read-token", "mla-gateway-read-token", "cluster-c1"],
            [DEPLOYMENT, "gw", "mla-gateway", "cluster-c1"],
            ["kubernetes:policy/v1:PodDisruptionBudget", "gw-pdb", "mla-gateway", "cluster-c1"],
            ["kubernetes:core/v1:Service", "gw-write", "mla-gateway", "cluster-c1"],
            ["kubernetes:core/v1:Service", "gw-read", "mla-gateway-read", "cluster-c1"],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "gw-network-policy", "mla-gateway", "cluster-c1"],
        ]);
        expect(ofType(resources, "mla:gateway:Gateway").map((r) => r.name)).to.deep.equal(["gw"]);
    });

    it("runs two replicas by default, with a PDB that keeps one", async () => {
        new Gateway("gw", args());
        const resources = await settledResources();
        const deployment = findResource(resources, DEPLOYMENT, "gw");
        const pdb = findResource(resources, "kubernetes:policy/v1:PodDisruptionBudget", "gw-pdb");
        expect(deployment.inputs.spec.replicas).to.equal(2);
        expect(pdb.inputs.spec.minAvailable).to.equal(1);
        expect(pdb.inputs.spec.selector).to.deep.equal(deployment.inputs.spec.selector);
        expect(deployment.inputs.spec.template.metadata.labels).to.include(deployment.inputs.spec.selector.matchLabels);
    });

    it("puts the rendered config into the ConfigMap, byte for byte", async () => {
        const gw = new Gateway("gw", args({ suspended: true }));
        const resources = await settledResources();
        const expected = renderNginxConfig(
            inClusterConfigParams({ clusterId: "c1", upstreams: UPSTREAMS, limits: DEFAULT_LIMITS, suspended: true }),
        );
        expect(findResource(resources, "kubernetes:core/v1:ConfigMap", "gw-config").inputs.data["nginx.conf"]).to.equal(
            expected,
        );
        expect(await promiseOf(gw.config)).to.equal(expected);
    });

    it("runs a PSS-restricted pod with a read-only root filesystem and probes on /healthz", async () => {
        new Gateway("gw", args());
        const pod = findResource(await settledResources(), DEPLOYMENT, "gw").inputs.spec.template.spec;
        const [container] = pod.containers;
        expect(pod.securityContext).to.include({ runAsNonRoot: true });
        expect(pod.securityContext.seccompProfile).to.deep.equal({ type: "RuntimeDefault" });
        expect(container.securityContext).to.deep.include({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
        expect(container.image).to.match(/^[\w./-]+:\d+\.\d+\.\d+-alpine$/);
        expect(container.readinessProbe.httpGet).to.deep.equal({ path: "/healthz", port: "read" });
        expect(container.livenessProbe.httpGet).to.deep.equal({ path: "/healthz", port: "read" });
        expect(container.resources.limits).to.have.keys("cpu", "memory");
        expect(pod.volumes.find((v: { name: string }) => v.name === "runtime")).to.have.property("emptyDir");
    });

    it("exposes the write listener through a Service of the configured type and the read listener internally", async () => {
        new Gateway("gw", args({ serviceType: "NodePort" }));
        const resources = await settledResources();
        const write = findResource(resources, "kubernetes:core/v1:Service", "gw-write").inputs.spec;
        const read = findResource(resources, "kubernetes:core/v1:Service", "gw-read").inputs.spec;
        expect([write.type, write.ports[0].port, write.ports[0].targetPort]).to.deep.equal(["NodePort", 443, "write"]);
        expect([read.type, read.ports[0].port, read.ports[0].targetPort]).to.deep.equal(["ClusterIP", 80, "read"]);
    });

    it("stores the server certificate, key and CA in a TLS Secret whose data is secret", async () => {
        new Gateway("gw", args());
        const secret = findResource(await settledResources(), "kubernetes:core/v1:Secret", "gw-tls").inputs;
        expect(secret.type).to.equal("kubernetes.io/tls");
        // The engine receives the data wrapped as a secret value (Pulumi's secret signature key).
        expect(secret.stringData[SECRET_SIG]).to.equal("1b47061264138c4ac30d75fd1eb44270");
        expect(secret.stringData.value).to.deep.equal({ "tls.crt": "SERVER-1", "tls.key": "KEY-1", "ca.crt": "CA-1" });
    });

    it("keeps the checksum annotation for equal inputs", async () => {
        expect(await checksumOf("a", args()))
            .to.match(/^[0-9a-f]{64}$/)
            .and.to.equal(await checksumOf("b", args()));
    });

    const changes: [string, Partial<GatewayArgs>][] = [
        ["the server certificate", { tls: { ...TLS, serverCertPem: "SERVER-2" } }],
        ["the CA certificate", { tls: { ...TLS, caCertPem: "CA-2" } }],
        ["the config (suspended)", { suspended: true }],
        [
            "the config (an upstream URL)",
            { upstreams: { ...UPSTREAMS, logsPushUrl: "http://loki-gateway.mla.svc:80/loki/api/v1/push" } },
        ],
        ["the config (a limit)", { maxBodySize: "8m" }],
        ["the credentials generation", { credentialsGeneration: 1 }],
    ];
    for (const [what, change] of changes) {
        it(`changes the checksum annotation when ${what} changes`, async () => {
            const before = await checksumOf("before", args());
            expect(await checksumOf("after", args(change))).to.not.equal(before);
        });
    }

    it("uses a namespace it is given instead of cluster-<id>", async () => {
        new Gateway("gw", args({ namespace: "custom" }));
        const objects = await assertAllSchemaValid(await settledResources());
        expect(new Set(objects.map((r) => r.inputs.metadata.namespace))).to.deep.equal(new Set(["custom"]));
    });

    it("refuses invalid arguments with every problem at once", () => {
        expect(
            () =>
                new Gateway(
                    "bad",
                    args({ clusterId: "C_1", replicas: 1, serviceType: "External" as never, maxBodySize: "lots" }),
                ),
        ).to.throw(
            [
                'invalid Gateway "bad": 4 problems:',
                '  - clusterId: "C_1" must be a DNS-1123 label',
                "  - replicas: 1 must be a whole number >= 2 (set allowSingleReplica for 1)",
                '  - serviceType: "External" must be one of LoadBalancer, NodePort, ClusterIP',
                '  - gateway.maxBodySize: "lots" must be a size like 512k or 16m',
            ].join("\n"),
        );
    });

    it("allows one replica only when asked to, and gives it no PDB that would block drains", async () => {
        new Gateway("dev", args({ replicas: 1, allowSingleReplica: true }));
        const resources = await settledResources();
        expect(findResource(resources, DEPLOYMENT, "dev").inputs.spec.replicas).to.equal(1);
        expect(ofType(resources, "kubernetes:policy/v1:PodDisruptionBudget")).to.deep.equal([]);
    });

    it("keeps the read token out of the ConfigMap and in a Secret the pod mounts where nginx.conf includes it", async () => {
        new Gateway("gw", args());
        const resources = await settledResources();
        const config: string = findResource(resources, "kubernetes:core/v1:ConfigMap", "gw-config").inputs.data[
            "nginx.conf"
        ];
        expect(config).to.not.include(READ_TOKEN);
        expect(config).to.include("include /etc/nginx/mla-read-token/read-token.map;");
        const secret = findResource(resources, "kubernetes:core/v1:Secret", "gw-read-token").inputs;
        expect(secret.stringData[SECRET_SIG]).to.equal("1b47061264138c4ac30d75fd1eb44270");
        expect(secret.stringData.value).to.deep.equal({
            token: READ_TOKEN,
            "read-token.map": `# The cluster's read token (secret). Rendered by components/gateway/read-token.ts.\n"~^${READ_TOKEN}\\z" 1;\n`,
        });
        const pod = findResource(resources, DEPLOYMENT, "gw").inputs.spec.template.spec;
        expect(pod.volumes).to.deep.include({
            name: "read-token",
            secret: { secretName: "mla-gateway-read-token", defaultMode: 0o440 },
        });
        expect(pod.containers[0].volumeMounts).to.deep.include({
            name: "read-token",
            mountPath: "/etc/nginx/mla-read-token",
            readOnly: true,
        });
    });
});

describe("Gateway NetworkPolicy", () => {
    beforeEach(() => resetResources());

    it("opens the write port to every source and the read port only to Grafana pods in Grafana's namespace", async () => {
        new Gateway("gw", args({ clusterId: "c7", grafanaNamespace: "monitoring" }));
        const resources = await settledResources();
        await assertAllSchemaValid(resources);
        const policy = findResource(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "gw-network-policy");
        expect(policy.inputs.metadata).to.deep.include({ name: "mla-gateway", namespace: "cluster-c7" });
        expect(policy.inputs.spec).to.deep.equal({
            podSelector: {
                matchLabels: { "app.kubernetes.io/name": "mla-gateway", "app.kubernetes.io/instance": "c7" },
            },
            policyTypes: ["Ingress"],
            ingress: [
                { ports: [{ port: 8443, protocol: "TCP" }] },
                {
                    from: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
                            podSelector: {
                                matchLabels: {
                                    "app.kubernetes.io/name": "grafana",
                                    "app.kubernetes.io/instance": "grafana",
                                },
                            },
                        },
                    ],
                    ports: [{ port: 8080, protocol: "TCP" }],
                },
            ],
        });
        // The policy selects the pods the Deployment runs.
        const deployment = findResource(resources, "kubernetes:apps/v1:Deployment", "gw");
        expect(deployment.inputs.spec.template.metadata.labels).to.deep.include(
            policy.inputs.spec.podSelector.matchLabels,
        );
    });

    it("selects Grafana by the labels the seed's grafana chart gives its pods (no name override)", () => {
        const values = grafanaValues(defaultSeedPlan());
        expect(values).to.not.have.any.keys("nameOverride", "fullnameOverride");
        expect(GRAFANA_POD_LABELS).to.deep.equal({
            "app.kubernetes.io/name": "grafana",
            "app.kubernetes.io/instance": "grafana",
        });
    });
});
