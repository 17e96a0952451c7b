/**
 * The seed-to-cluster contract end to end under mocks: the seed program's real outputs, resolved,
 * become the StackReference outputs the cluster program reads.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, ofType, promiseOf, resetResources, setStackOutputs, settledResources } from "../support/mocks";

installMocks();

import { parseUpstreamUrl } from "../../components/gateway/nginx-config-params";
import { clusterProgram } from "../../programs/cluster";
import { resolveClusterSpec } from "../../spec/cluster-defaults";
import { seedProgram } from "../../programs/seed";
import { SEED_OUTPUT_NAMES } from "../../spec/seed-contract";
import { defaultSeedPlan } from "../../spec/seed-plan";

const SEED = "acme/mla/seed-contract";
const UPSTREAM_KEYS = [
    "metricsPushUrl",
    "logsPushUrl",
    "metricsQueryUrl",
    "logsQueryUrl",
    "alertmanagerUrl",
    "metricsRulerUrl",
    "logsRulerUrl",
] as const;

describe("seed outputs into the cluster program", () => {
    it("builds the gateway's nginx config and NetworkPolicy from the seed's real outputs", async () => {
        resetResources();
        // Non-default namespaces, so nothing can pass by matching a hard-coded "mla".
        const plan = { ...defaultSeedPlan(), namespace: "observability" };
        plan.grafana = { ...plan.grafana, namespace: "dashboards" };
        const outputs = seedProgram({ plan });
        const seed: Record<string, unknown> = {};
        for (const name of SEED_OUTPUT_NAMES) seed[name] = await promiseOf(pulumi.output(outputs[name]));
        setStackOutputs(SEED, seed);
        setStackOutputs(`${SEED}.shop`, { grafanaOrgId: 3 });

        resetResources();
        await clusterProgram(
            resolveClusterSpec({
                clusterId: "c42",
                project: "shop",
                seedStack: SEED,
                seedKubeconfig: pulumi.secret("seed-kubeconfig"),
                userKubeconfig: pulumi.secret("user-kubeconfig"),
                gateway: { externalHostnames: ["mla-c42.example.com"] },
            }),
        );
        const resources = await settledResources();
        const nginx: string = ofType(resources, "kubernetes:core/v1:ConfigMap").find(
            (r) => r.name === "gateway-config",
        )!.inputs.data["nginx.conf"];
        for (const key of UPSTREAM_KEYS) {
            const url = seed[key] as string;
            expect(url, key).to.match(/^http:\/\/[a-z-]+\.observability\.svc\.cluster\.local:\d+/);
            expect(nginx, key).to.contain(`    server ${parseUpstreamUrl(url).hostPort};`);
        }
        expect(nginx).to.contain('proxy_set_header X-Scope-OrgID "c42";');
        const policy = ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
            (r) => r.name === "gateway-network-policy",
        )!;
        expect(seed.grafanaNamespace).to.equal("dashboards");
        expect(policy.inputs.spec.ingress[1].from[0].namespaceSelector).to.deep.equal({
            matchLabels: { "kubernetes.io/metadata.name": "dashboards" },
        });
    });
});
