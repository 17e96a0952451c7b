import { expect } from "chai";
import { defaultDashboards } from "../../components/seed-defaults/kubernetes-dashboards";
import { renderRuleFile } from "../../components/tenant/rule-groups";
import { assertAllSchemaValid } from "../support/k8s-schema";
import { installMocks, ofType, resetResources, settledResources } from "../support/mocks";
import { runBinary, tempDir } from "./binaries";

installMocks();
// Imported after the mocks, as the Pulumi docs require (TypeScript emits imports in source order).
import { SeedDefaults } from "../../components/seed-defaults/seed-defaults";

describe("seed defaults", () => {
    const tmp = tempDir("mla-seed-defaults-");
    after(() => tmp.cleanup());
    beforeEach(() => resetResources());

    it("delivers the default dashboards as one labelled ConfigMap in the Kubernetes folder", async () => {
        const defaults = new SeedDefaults("d", { namespace: "mla" });
        const resources = await settledResources();
        const [cm] = ofType(resources, "kubernetes:core/v1:ConfigMap");
        expect(cm.name).to.equal("d-dashboards");
        expect(cm.inputs.metadata).to.deep.include({
            name: "mla-default-dashboards",
            namespace: "mla",
            annotations: { "k8s-sidecar-target-directory": "Kubernetes" },
        });
        expect(cm.inputs.metadata.labels).to.include({ grafana_dashboard: "1" });
        expect(Object.keys(cm.inputs.data)).to.have.members(["mla-k8s-cluster.json", "mla-agent.json"]);
        expect(JSON.parse(cm.inputs.data["mla-agent.json"]).title).to.equal("MLA / Metrics agent");
        expect(defaults.adminMetricRuleGroups.map((g) => g.name)).to.deep.equal(["mla-agent", "kubernetes-workloads"]);
        await assertAllSchemaValid(resources);
    });

    it("refuses invalid admin rule groups before creating anything", async () => {
        expect(
            () => new SeedDefaults("d", { namespace: "mla", adminMetricRuleGroups: [{ name: "x", rules: [] }] }),
        ).to.throw('admin metric rule groups group "x" needs at least one rule');
        expect(ofType(await settledResources(), "kubernetes:core/v1:ConfigMap")).to.deep.equal([]);
    });

    it("every dashboard query is valid PromQL (promtool check rules on them as recording rules)", async () => {
        const exprs = defaultDashboards().flatMap((d) =>
            (d.panels as { targets: { expr: string }[] }[]).flatMap((p) => p.targets.map((t) => t.expr)),
        );
        expect(exprs).to.have.length(8);
        const file = renderRuleFile([
            { name: "dashboards", rules: exprs.map((expr, i) => ({ record: `dashboard:q${i}`, expr })) },
        ]);
        const result = await runBinary("promtool", ["check", "rules", tmp.write("dashboards.yml", file)]);
        expect(result.code, result.output).to.equal(0);
    });
});
