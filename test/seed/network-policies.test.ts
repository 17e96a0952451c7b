/** The MLA namespace's NetworkPolicy, as SeedMla creates it under mocks. */
import { expect } from "chai";
import { SeedMla } from "../../components/seed/seed-mla";
import { gatewayLabels } from "../../components/gateway/layout";
import { clusterNamespaceLabels } from "../../components/gateway/network-policy";
import { assertAllSchemaValid } from "../support/k8s-schema";
import { findResource, installMocks, ofType, resetResources, settledResources } from "../support/mocks";
import { defaultSeedPlan } from "../../spec/seed-plan";

installMocks();

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("SeedMla NetworkPolicy", () => {
    beforeEach(() => resetResources());

    it("admits gateways of labelled cluster namespaces to the HTTP ports, the Alertmanager to gossip only, other backends to all", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan() });
        const resources = await settledResources();
        await assertAllSchemaValid(resources);
        const policy = findResource(resources, POLICY, "seed-network-policy");
        expect(policy.inputs.metadata).to.deep.include({ name: "mla-backends", namespace: "mla" });
        const notGrafana = { key: "app.kubernetes.io/name", operator: "NotIn", values: ["grafana"] };
        expect(policy.inputs.spec).to.deep.equal({
            podSelector: { matchExpressions: [notGrafana] },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            podSelector: {
                                matchExpressions: [
                                    notGrafana,
                                    { key: "app.kubernetes.io/component", operator: "NotIn", values: ["alertmanager"] },
                                ],
                            },
                        },
                    ],
                },
                {
                    from: [
                        {
                            podSelector: {
                                matchLabels: {
                                    "app.kubernetes.io/name": "cortex",
                                    "app.kubernetes.io/instance": "cortex",
                                    "app.kubernetes.io/component": "alertmanager",
                                },
                            },
                        },
                    ],
                    ports: [
                        { port: 9094, protocol: "TCP" },
                        { port: 9094, protocol: "UDP" },
                        { port: 7946, protocol: "TCP" },
                        { port: 7946, protocol: "UDP" },
                    ],
                },
                {
                    from: [
                        {
                            namespaceSelector: { matchLabels: { "mla.k8c.io/role": "cluster-gateway" } },
                            podSelector: { matchLabels: { "app.kubernetes.io/name": "mla-gateway" } },
                        },
                    ],
                    ports: [
                        { port: 8080, protocol: "TCP" },
                        { port: 3100, protocol: "TCP" },
                    ],
                },
            ],
        });
        // The gateway pods carry the label the policy admits, and their namespace the role label.
        expect(gatewayLabels("c1")["app.kubernetes.io/name"]).to.equal("mla-gateway");
        expect(clusterNamespaceLabels("c1")).to.deep.equal({
            "app.kubernetes.io/part-of": "mla",
            "mla.k8c.io/role": "cluster-gateway",
            "mla.k8c.io/cluster-id": "c1",
        });
    });

    it("adds one rule with a peer per extra ingress namespace, e.g. for a seed Prometheus", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan(), networkPolicy: { extraIngressNamespaces: ["monitoring"] } });
        const resources = await settledResources();
        await assertAllSchemaValid(resources);
        const ingress = findResource(resources, POLICY, "seed-network-policy").inputs.spec.ingress;
        expect(ingress).to.have.length(4);
        expect(ingress[3]).to.deep.equal({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        });
    });

    it("creates no policy when switched off", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan(), networkPolicy: { enabled: false } });
        expect(ofType(await settledResources(), POLICY)).to.deep.equal([]);
    });

    it("refuses an extra ingress namespace that is not a namespace name", () => {
        expect(
            () =>
                new SeedMla("seed", {
                    plan: defaultSeedPlan(),
                    networkPolicy: { extraIngressNamespaces: ["Prom NS"] },
                }),
        ).to.throw('networkPolicy.extraIngressNamespaces: "Prom NS" is not a DNS-1123 label');
    });
});
