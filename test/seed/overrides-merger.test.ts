/** The OverridesMerger component under mocks: the scripts' checksum on the pod template. */
import { expect } from "chai";
import { OverridesMerger } from "../../components/seed/overrides-merger";
import { SCRIPTS_CHECKSUM_ANNOTATION, scriptsChecksum } from "../../components/seed/overrides-merger-objects";
import { renderMergerScript } from "../../components/seed/overrides-merger-script";
import { TENANT_ID_LABEL } from "../../spec/tenant-delivery";
import { tenantLabels } from "../../components/tenant/delivery";
import { assertAllSchemaValid } from "../support/k8s-schema";
import { findResource, installMocks, resetResources, settledResources } from "../support/mocks";

installMocks();

const TARGET = {
    backend: "cortex",
    fragmentLabels: { "mla.k8c.io/overrides": "cortex" },
    fragmentKey: "overrides.yaml",
    tenantLabel: TENANT_ID_LABEL,
    configMap: "cortex-runtime-config",
    key: "runtime_config.yaml",
};

async function podAnnotations(intervalSeconds: number): Promise<Record<string, string>> {
    resetResources();
    new OverridesMerger("m", { namespace: "mla", namespaceName: "mla", targets: [TARGET], intervalSeconds });
    const resources = await settledResources();
    await assertAllSchemaValid(resources);
    return findResource(resources, "kubernetes:apps/v1:Deployment", "m").inputs.spec.template.metadata.annotations;
}

describe("OverridesMerger", () => {
    it("annotates the pod template with the checksum of exactly the scripts it mounts", async () => {
        const annotations = await podAnnotations(30);
        const script = renderMergerScript({
            namespace: "mla",
            selector: "mla.k8c.io/overrides=cortex",
            fragmentKey: "overrides.yaml",
            tenantLabel: TENANT_ID_LABEL,
            targetConfigMap: "cortex-runtime-config",
            targetKey: "runtime_config.yaml",
            intervalSeconds: 30,
        });
        expect(annotations[SCRIPTS_CHECKSUM_ANNOTATION]).to.equal(scriptsChecksum({ "cortex.sh": script }));
        expect(annotations[SCRIPTS_CHECKSUM_ANNOTATION]).to.match(/^[0-9a-f]{64}$/);
    });

    it("changes the checksum, and so rolls the pods, when the script changes", async () => {
        const before = (await podAnnotations(30))[SCRIPTS_CHECKSUM_ANNOTATION];
        const after = (await podAnnotations(60))[SCRIPTS_CHECKSUM_ANNOTATION];
        expect(after).to.not.equal(before);
        expect((await podAnnotations(30))[SCRIPTS_CHECKSUM_ANNOTATION]).to.equal(before);
    });

    it("checks fragments against the label the tenant component puts on its ConfigMaps", () => {
        expect(tenantLabels("c1")).to.deep.include({ [TENANT_ID_LABEL]: "c1" });
        expect(
            renderMergerScript({
                namespace: "mla",
                selector: "a=b",
                fragmentKey: "overrides.yaml",
                tenantLabel: TENANT_ID_LABEL,
                targetConfigMap: "t",
                targetKey: "k",
                intervalSeconds: 1,
            }),
        ).to.contain("jsonpath={.metadata.labels.mla\\.k8c\\.io/cluster-id}");
    });
});
