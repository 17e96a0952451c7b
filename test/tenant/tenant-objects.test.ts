/**
 * The tenant's objects from their pure builders: every described object, as the ConfigMap or
 * Secret the Tenant component creates, is valid against the Kubernetes schema and keeps the
 * name, labels and folder annotation the seed's sidecars and the overrides merger select by.
 */
import { expect } from "chai";
import {
    datasourceConfigMapMeta,
    tenantConfigMapArgs,
    tenantConfigMaps,
    tenantSecretArgs,
} from "../../components/tenant/tenant-config-maps";
import { KIND, objectSchemaErrors } from "../support/object-schema";
import { validTenant } from "./tenant-fixture";

const described = () =>
    tenantConfigMaps({ clusterId: "c1", tenant: validTenant(), adminMetricRuleGroups: [], adminLogRuleGroups: [] });

describe("tenant object builders (pure)", () => {
    it("builds every described object as a schema-valid object of its kind in the seed namespace", async () => {
        for (const o of described()) {
            const [type, object] =
                o.kind === "Secret"
                    ? [KIND.secret, tenantSecretArgs(o, "mla", o.data)]
                    : [KIND.configMap, tenantConfigMapArgs(o, "mla", o.data)];
            expect(await objectSchemaErrors(type, object), o.role).to.equal("");
            expect(object.metadata, o.role).to.deep.equal({
                name: o.name,
                namespace: "mla",
                labels: o.labels,
                annotations: o.annotations,
            });
        }
    });

    it("puts the Alertmanager config, which holds receiver credentials, into an Opaque Secret's stringData", () => {
        const alertmanager = described().find((o) => o.role === "alertmanager")!;
        expect(alertmanager.kind).to.equal("Secret");
        const secret = tenantSecretArgs(alertmanager, "mla", alertmanager.data);
        expect(secret.type).to.equal("Opaque");
        expect(secret.stringData).to.deep.equal(alertmanager.data);
        expect(Object.keys(alertmanager.data)).to.deep.equal(["c1.yaml"]);
        expect(secret).to.not.have.property("data");
    });

    it("keeps the rule files' folder annotation on the ConfigMap", () => {
        const rules = described().find((o) => o.role === "metric-rules")!;
        const config = tenantConfigMapArgs(rules, "mla", rules.data);
        expect(Object.keys(rules.annotations ?? {})).to.have.length(1);
        expect((config.metadata as { annotations?: unknown }).annotations).to.deep.equal(rules.annotations);
    });

    it("names the datasources object after the cluster whichever kind carries it", async () => {
        const meta = datasourceConfigMapMeta("c1");
        const data = { [meta.dataKey]: "apiVersion: 1\n" };
        const asSecret = tenantSecretArgs(meta, "mla", data);
        const asConfigMap = tenantConfigMapArgs(meta, "mla", data);
        expect(await objectSchemaErrors(KIND.secret, asSecret)).to.equal("");
        expect(await objectSchemaErrors(KIND.configMap, asConfigMap)).to.equal("");
        expect(asSecret.metadata).to.deep.equal(asConfigMap.metadata);
        expect((asSecret.metadata as { name: string }).name)
            .to.equal(meta.name)
            .and.to.include("c1");
    });
});
