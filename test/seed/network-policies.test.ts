/** The MLA namespace's NetworkPolicy, as SeedMla creates it under mocks. */
import { expect } from "chai";
import { SeedMla } from "../../components/seed/seed-mla";
import { defaultSeedPlan } from "../../components/seed/seed-plan";
import { gatewayLabels } from "../../gateway/layout";
import { assertAllSchemaValid } from "../support/k8s-schema";
import { findResource, installMocks, ofType, resetResources, settledResources } from "../support/mocks";

installMocks();

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("SeedMla NetworkPolicy", () => {
    beforeEach(() => resetResources());

    it("admits only the MLA namespace's pods and MLA gateway pods of any namespace to every non-Grafana pod", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan() });
        const resources = await settledResources();
        await assertAllSchemaValid(resources);
        const policy = findResource(resources, POLICY, "seed-network-policy");
        expect(policy.inputs.metadata).to.deep.include({ name: "mla-backends", namespace: "mla" });
        expect(policy.inputs.spec).to.deep.equal({
            podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "NotIn", values: ["grafana"] }] },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        { podSelector: {} },
                        { namespaceSelector: {}, podSelector: { matchLabels: { "app.kubernetes.io/name": "mla-gateway" } } },
                    ],
                },
            ],
        });
        // The gateway pods carry the label the policy admits.
        expect(gatewayLabels("c1")["app.kubernetes.io/name"]).to.equal("mla-gateway");
    });

    it("adds one peer per extra ingress namespace, e.g. for a seed Prometheus", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan(), networkPolicy: { extraIngressNamespaces: ["monitoring"] } });
        const resources = await settledResources();
        await assertAllSchemaValid(resources);
        const from = findResource(resources, POLICY, "seed-network-policy").inputs.spec.ingress[0].from;
        expect(from[2]).to.deep.equal({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } });
        expect(from).to.have.length(3);
    });

    it("creates no policy when switched off", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan(), networkPolicy: { enabled: false } });
        expect(ofType(await settledResources(), POLICY)).to.deep.equal([]);
    });

    it("refuses an extra ingress namespace that is not a namespace name", () => {
        expect(() => new SeedMla("seed", { plan: defaultSeedPlan(), networkPolicy: { extraIngressNamespaces: ["Prom NS"] } })).to.throw(
            'networkPolicy.extraIngressNamespaces: "Prom NS" is not a DNS-1123 label',
        );
    });
});
