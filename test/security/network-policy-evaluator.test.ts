/**
 * "Would this pod reach that port?" answered from the policies the seed and cluster programs
 * render (under mocks, so the very objects `pulumi up` would apply), by a pure evaluator with
 * Kubernetes semantics (checked on its own in network-policy-evaluator-semantics.test.ts).
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
    installMocks,
    resetResources,
    setStackOutputs,
    settledResources,
    type RecordedResource,
} from "../support/mocks";

installMocks();

import { CORTEX_ALERTMANAGER_POD_LABELS, GRAFANA_POD_LABELS } from "../../components/seed/network-policies";
import { SeedMla } from "../../components/seed/seed-mla";
import { READ_PORT, WRITE_PORT } from "../../components/gateway/layout";
import { clusterProgram } from "../../programs/cluster";
import { resolveClusterSpec } from "../../spec/cluster-defaults";
import { ConfigReader } from "../../programs/config-reader";
import { loadSeedSettings } from "../../programs/seed-config";
import { type Cluster, type NetworkPolicy, type Pod, canReach } from "./network-policy-evaluator";
import { defaultSeedPlan } from "../../spec/seed-plan";

const pod = (name: string, namespace: string, labels: Record<string, string>, extra: Partial<Pod> = {}): Pod => ({
    name,
    namespace,
    labels,
    ...extra,
});

/** The seed and two clusters, as the programs render them. */
const SEED = "org/mla/seed-np";
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
    grafanaAdminPassword: "pw",
    metricsPurgerUrl: "http://cortex-purger.mla.svc:8080",
    logsDeleteUrl: "http://loki-compactor.mla.svc:3100",
    adminMetricRuleGroups: [],
    adminLogRuleGroups: [],
});
setStackOutputs(`${SEED}.shop`, { project: "shop", grafanaOrgId: 7 });

const byName = (rs: RecordedResource[], type: string, name: string) => {
    const r = rs.find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`no ${type} ${name} among ${rs.map((x) => x.name).join(", ")}`);
    return r.inputs;
};
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** One cluster stack's namespace labels, gateway policy and gateway pod labels, as rendered. */
async function renderCluster(clusterId: string) {
    resetResources();
    await clusterProgram(
        resolveClusterSpec({
            clusterId,
            project: "shop",
            seedStack: SEED,
            seedKubeconfig: pulumi.secret("seed"),
            userKubeconfig: pulumi.secret("user"),
            gateway: { externalHostnames: [`mla-${clusterId}.example.com`] },
        }),
    );
    const rs = await settledResources();
    const namespace = byName(rs, "kubernetes:core/v1:Namespace", "cluster-namespace").metadata;
    return {
        resources: rs,
        namespace: namespace.name as string,
        namespaceLabels: namespace.labels as Record<string, string>,
        policy: byName(rs, POLICY, "gateway-network-policy") as NetworkPolicy,
        podLabels: byName(rs, "kubernetes:apps/v1:Deployment", "gateway").spec.template.metadata.labels as Record<
            string,
            string
        >,
    };
}

describe("NetworkPolicies of the seed and cluster stacks, evaluated", function () {
    this.timeout(120_000);
    let world: Cluster;
    let gwA: Pod;
    let gwB: Pod;
    let seedPolicy: NetworkPolicy;
    let gatewayLabelsA: Record<string, string>;
    /** Every Namespace either program creates, by resource name, with its labels. */
    const namespacesCreated: [string, Record<string, string>][] = [];
    const collectNamespaces = (rs: RecordedResource[]) =>
        rs
            .filter((r) => r.type === "kubernetes:core/v1:Namespace")
            .forEach((r) => namespacesCreated.push([r.name, r.inputs.metadata.labels ?? {}]));

    const mla = (name: string, labels: Record<string, string>) => pod(name, "mla", labels);
    const cortex = (component: string) =>
        mla(`cortex-${component}`, {
            "app.kubernetes.io/name": "cortex",
            "app.kubernetes.io/instance": "cortex",
            "app.kubernetes.io/component": component,
        });
    const loki = (component: string) =>
        mla(`loki-${component}`, {
            "app.kubernetes.io/name": "loki",
            "app.kubernetes.io/instance": "loki",
            "app.kubernetes.io/component": component,
        });
    const distributor = cortex("distributor");
    const purger = cortex("purger");
    const ingester = cortex("ingester");
    const ruler = cortex("ruler");
    const lokiDistributor = loki("distributor");
    const alertmanager = mla("cortex-alertmanager-0", { ...CORTEX_ALERTMANAGER_POD_LABELS });
    const alertmanager1 = mla("cortex-alertmanager-1", { ...CORTEX_ALERTMANAGER_POD_LABELS });
    const minio = mla("minio-0", { app: "minio", release: "minio" });
    const grafana = mla("grafana", { ...GRAFANA_POD_LABELS, "app.kubernetes.io/version": "13.2.0" });

    before(async () => {
        resetResources();
        new SeedMla("seed", { plan: defaultSeedPlan() });
        const seedResources = await settledResources();
        collectNamespaces(seedResources);
        seedPolicy = byName(seedResources, POLICY, "seed-network-policy") as NetworkPolicy;
        const a = await renderCluster("a");
        const b = await renderCluster("b");
        collectNamespaces(a.resources);
        gatewayLabelsA = a.podLabels;
        gwA = pod("gw-a", a.namespace, a.podLabels);
        gwB = pod("gw-b", b.namespace, b.podLabels);
        world = {
            namespaces: {
                mla: { "kubernetes.io/metadata.name": "mla" },
                [a.namespace]: { "kubernetes.io/metadata.name": a.namespace, ...a.namespaceLabels },
                [b.namespace]: { "kubernetes.io/metadata.name": b.namespace, ...b.namespaceLabels },
                rogue: { "kubernetes.io/metadata.name": "rogue" },
                monitoring: { "kubernetes.io/metadata.name": "monitoring" },
            },
            policies: [seedPolicy, a.policy, b.policy],
        };
    });

    const can = (from: Pod, to: Pod, port: number, protocol: "TCP" | "UDP" = "TCP") =>
        canReach(world, { from, to, port, protocol });

    it("renders the policies the evaluator reads: one for the backends, one per gateway, in their namespaces", () => {
        expect(world.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).to.deep.equal([
            "mla/mla-backends",
            "cluster-a/mla-gateway",
            "cluster-b/mla-gateway",
        ]);
        expect(world.namespaces["cluster-a"]).to.include({
            "mla.k8c.io/role": "cluster-gateway",
            "mla.k8c.io/cluster-id": "a",
        });
    });

    it("puts the trusted role label on the cluster stack's own namespace only (no seed or user-cluster namespace has it)", () => {
        const labelled = namespacesCreated
            .filter(([, labels]) => labels["mla.k8c.io/role"] !== undefined)
            .map(([name]) => name);
        expect(labelled).to.deep.equal(["cluster-namespace"]);
        expect(namespacesCreated.map(([name]) => name)).to.include.members([
            "seed-namespace",
            "cluster-namespace",
            "agents-namespace",
        ]);
    });

    it("gateway in a cluster namespace → backend HTTP ports: allowed", () => {
        expect(can(gwA, distributor, 8080)).to.equal(true);
        expect(can(gwA, lokiDistributor, 3100)).to.equal(true);
        expect(can(gwB, alertmanager, 8080)).to.equal(true);
    });

    it("gateway → backend gRPC, gossip or object-store ports: refused", () => {
        expect(can(gwA, ingester, 9095)).to.equal(false);
        expect(can(gwA, ingester, 7946)).to.equal(false);
        expect(can(gwA, minio, 9000)).to.equal(false);
    });

    it("the same gateway labels in another namespace → backend: refused", () => {
        const rogue = pod("fake-gw", "rogue", { ...gatewayLabelsA });
        expect(can(rogue, distributor, 8080)).to.equal(false);
        expect(can(rogue, lokiDistributor, 3100)).to.equal(false);
        expect(can(rogue, purger, 8080)).to.equal(false);
    });

    it("the issue's old policy (gateway label from any namespace, every MLA pod) let the rogue pod, Grafana and the Alertmanager in", () => {
        const old: NetworkPolicy = {
            metadata: { namespace: "mla", name: "mla-backends" },
            spec: {
                podSelector: seedPolicy.spec.podSelector,
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            { podSelector: {} },
                            {
                                namespaceSelector: {},
                                podSelector: { matchLabels: { "app.kubernetes.io/name": "mla-gateway" } },
                            },
                        ],
                    },
                ],
            },
        };
        const before = { ...world, policies: [old, ...world.policies.slice(1)] };
        expect(
            canReach(before, { from: pod("fake-gw", "rogue", { ...gatewayLabelsA }), to: purger, port: 8080 }),
        ).to.equal(true);
        expect(canReach(before, { from: grafana, to: distributor, port: 8080 })).to.equal(true);
        expect(canReach(before, { from: alertmanager, to: purger, port: 8080 })).to.equal(true);
    });

    it("a non-gateway pod in a cluster namespace → backend: refused", () => {
        expect(can(pod("other", "cluster-a", { app: "other" }), distributor, 8080)).to.equal(false);
    });

    it("Grafana → backend: refused on every port", () => {
        for (const [to, port] of [
            [distributor, 8080],
            [lokiDistributor, 3100],
            [ingester, 9095],
            [alertmanager, 8080],
            [purger, 8080],
            [minio, 9000],
        ] as const) {
            expect(can(grafana, to, port), `${to.name}:${port}`).to.equal(false);
        }
    });

    it("Grafana → gateway read port: allowed; any other pod → read port: refused", () => {
        expect(can(grafana, gwA, READ_PORT)).to.equal(true);
        expect(can(grafana, gwB, READ_PORT)).to.equal(true);
        expect(can(pod("grafana", "rogue", { ...GRAFANA_POD_LABELS }), gwA, READ_PORT)).to.equal(false);
        expect(can(gwB, gwA, READ_PORT)).to.equal(false);
        expect(can(alertmanager, gwA, READ_PORT)).to.equal(false);
        expect(can(distributor, gwA, READ_PORT)).to.equal(false);
    });

    it("anyone → gateway write port (mTLS): allowed", () => {
        expect(can(pod("lb", "rogue", {}), gwA, WRITE_PORT)).to.equal(true);
    });

    it("Alertmanager → backend HTTP APIs: refused; → its peers' gossip ports: allowed", () => {
        expect(can(alertmanager, purger, 8080)).to.equal(false);
        expect(can(alertmanager, distributor, 8080)).to.equal(false);
        expect(can(alertmanager, lokiDistributor, 3100)).to.equal(false);
        expect(can(alertmanager, ingester, 9095)).to.equal(false);
        expect(can(alertmanager, alertmanager1, 9094)).to.equal(true);
        expect(can(alertmanager, alertmanager1, 9094, "UDP")).to.equal(true);
        expect(can(alertmanager, alertmanager1, 8080)).to.equal(false);
    });

    it("backends → each other on every port (rings, gRPC, object store), rulers → Alertmanager", () => {
        expect(can(distributor, ingester, 9095)).to.equal(true);
        expect(can(ingester, minio, 9000)).to.equal(true);
        expect(can(ruler, alertmanager, 8080)).to.equal(true);
        expect(can(loki("ruler"), alertmanager, 8080)).to.equal(true);
        expect(can(ingester, distributor, 7946, "UDP")).to.equal(true);
    });

    it("refuses to list the MLA or Grafana namespace as an extra ingress namespace (Grafana would reach the backends)", () => {
        const load = (values: Record<string, unknown>) => () =>
            loadSeedSettings(new ConfigReader({ namespace: "mla", get: (k) => values[k], getSecret: () => undefined }));
        expect(load({ networkPolicy: { extraIngressNamespaces: ["monitoring", "mla"] } })).to.throw(
            /networkPolicy\.extraIngressNamespaces\[1\] must not be the MLA or Grafana namespace \("mla"\)/,
        );
        expect(
            load({ grafana: { namespace: "grafana" }, networkPolicy: { extraIngressNamespaces: ["grafana"] } }),
        ).to.throw(/extraIngressNamespaces\[0\] must not be/);
        expect(load({ networkPolicy: { extraIngressNamespaces: ["monitoring"] } })).to.not.throw();
    });

    it("a namespace outside extraIngressNamespaces → backend: refused; inside it: allowed", () => {
        const prom = pod("prometheus", "monitoring", { app: "prometheus" });
        expect(can(prom, distributor, 8080)).to.equal(false);
        resetResources();
        new SeedMla("seed", { plan: defaultSeedPlan(), networkPolicy: { extraIngressNamespaces: ["monitoring"] } });
        return settledResources().then((rs) => {
            const widened: Cluster = {
                ...world,
                policies: [byName(rs, POLICY, "seed-network-policy") as NetworkPolicy, ...world.policies.slice(1)],
            };
            expect(canReach(widened, { from: prom, to: distributor, port: 8080 })).to.equal(true);
            expect(canReach(widened, { from: grafana, to: distributor, port: 8080 })).to.equal(false);
        });
    });
});
