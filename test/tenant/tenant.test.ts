import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { parse } from "yaml";
import { installMocks, ofType, resetResources, settledResources, type RecordedResource } from "../support/mocks";
import { assertAllSchemaValid } from "../support/k8s-schema";
import { renderAlertmanagerConfig } from "../../components/tenant/alertmanager-config";
import { validTenant } from "./tenant-fixture";

installMocks();
// Imported after the mocks, as the Pulumi docs require (TypeScript emits imports in source order).
import { Tenant, type TenantArgs } from "../../components/tenant/tenant";

const CM = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";
const GATEWAY = { service: "mla-gateway-read", port: 8080 };

function byName(resources: RecordedResource[], name: string): RecordedResource {
    const hit = ofType(resources, CM).find((r) => r.inputs.metadata.name === name);
    if (!hit)
        throw new Error(
            `no ConfigMap ${name}; have ${ofType(resources, CM)
                .map((r) => r.inputs.metadata.name)
                .join(", ")}`,
        );
    return hit;
}

describe("Tenant component", () => {
    beforeEach(() => resetResources());

    it("creates the tenant's objects in the seed namespace with the sidecar labels and annotations", async () => {
        new Tenant("t", {
            clusterId: "c1",
            project: "proj",
            tenant: validTenant(),
            namespace: "mla-seed",
            gatewayRead: GATEWAY,
            orgId: 3,
        });
        const resources = await settledResources();
        const maps = ofType(resources, CM);
        expect(maps.map((r) => r.name)).to.have.members([
            "t-metric-rules",
            "t-log-rules",
            "t-cortex-overrides",
            "t-loki-overrides",
            "t-datasources",
        ]);
        for (const m of [...maps, ...ofType(resources, SECRET)]) {
            expect(m.inputs.metadata.namespace).to.equal("mla-seed");
            expect(m.inputs.metadata.labels).to.include({ "mla.k8c.io/cluster-id": "c1" });
        }

        const rules = byName(resources, "mla-metric-rules-c1");
        expect(rules.inputs.metadata.labels).to.include({ cortex_rules: "1" });
        expect(rules.inputs.metadata.annotations).to.deep.equal({ "k8s-sidecar-target-directory": "c1" });
        expect(Object.keys(rules.inputs.data)).to.deep.equal(["c1-defaults.yaml", "c1-owner.yaml"]);
        expect(parse(rules.inputs.data["c1-defaults.yaml"]).groups.map((g: { name: string }) => g.name)).to.deep.equal([
            "mla-agent",
            "kubernetes-workloads",
        ]);

        const logRules = byName(resources, "mla-log-rules-c1");
        expect(logRules.inputs.metadata.labels).to.include({ loki_rule: "1" });
        expect(logRules.inputs.metadata.annotations).to.deep.equal({ "k8s-sidecar-target-directory": "c1" });
        expect(Object.keys(logRules.inputs.data)).to.deep.equal(["c1-owner.yaml"]);

        expect(byName(resources, "mla-overrides-cortex-c1").inputs.metadata.labels).to.include({
            "mla.k8c.io/overrides": "cortex",
        });
        expect(byName(resources, "mla-overrides-loki-c1").inputs.metadata.labels).to.include({
            "mla.k8c.io/overrides": "loki",
        });
        expect(byName(resources, "mla-overrides-cortex-c1").inputs.data["overrides.yaml"]).to.match(
            /^ {2}"c1":\n {4}ingestion_rate: 10000\n/,
        );

        const ds = byName(resources, "mla-datasources-c1");
        expect(ds.inputs.metadata.labels).to.include({ grafana_datasource: "1" });
        const file = parse(ds.inputs.data["datasources-c1.yaml"]);
        expect(
            file.datasources.map((d: { uid: string; orgId: number; url: string }) => [d.uid, d.orgId, d.url]),
        ).to.deep.equal([
            ["prometheus-c1", 3, "http://mla-gateway-read.cluster-c1.svc.cluster.local:8080/api/prom"],
            ["loki-c1", 3, "http://mla-gateway-read.cluster-c1.svc.cluster.local:8080"],
            ["alertmanager-c1", 3, "http://mla-gateway-read.cluster-c1.svc.cluster.local:8080"],
        ]);
        expect(file.datasources[2].jsonData.implementation).to.equal("cortex");
        // The org belongs to the project stack: a cluster's Tenant creates no Grafana resource.
        expect(resources.filter((r) => r.type.startsWith("grafana:") || r.type.includes("GrafanaOrg"))).to.deep.equal(
            [],
        );
        await assertAllSchemaValid(resources);
    });

    it("delivers the owner's Alertmanager config as a Secret whose content is a Pulumi secret, never as a ConfigMap", async () => {
        new Tenant("t", {
            clusterId: "c1",
            project: "proj",
            tenant: validTenant(),
            namespace: "mla-seed",
            gatewayRead: GATEWAY,
            orgId: 3,
        });
        const resources = await settledResources();
        expect(ofType(resources, CM).filter((r) => r.inputs.metadata.name === "mla-alertmanager-c1")).to.deep.equal([]);
        const secrets = ofType(resources, SECRET);
        expect(secrets.map((r) => r.name)).to.deep.equal(["t-alertmanager"]);
        const [am] = secrets;
        expect(am.inputs.metadata).to.deep.equal({
            name: "mla-alertmanager-c1",
            namespace: "mla-seed",
            labels: { "app.kubernetes.io/part-of": "mla", "mla.k8c.io/cluster-id": "c1", cortex_alertmanager: "1" },
        });
        expect(am.inputs.type).to.equal("Opaque");
        expect(am.inputs.data).to.equal(undefined);
        // A secret input reaches the engine wrapped with the secret signature: encrypted in state.
        expect(am.inputs.stringData[pulumi.runtime.specialSigKey]).to.equal(pulumi.runtime.specialSecretSig);
        expect(am.inputs.stringData.value).to.deep.equal({
            "c1.yaml": renderAlertmanagerConfig(validTenant().alertmanagerConfig),
        });
        expect(am.inputs.stringData.value["c1.yaml"]).to.contain("follow_redirects: false");
        await assertAllSchemaValid(resources);
    });

    it("points the datasources at the org id it is given (an Output, as the project stack's) and the gateway's read Service", async () => {
        new Tenant("t", { clusterId: "c2", project: "proj", tenant: validTenant(), orgId: pulumi.output(42) });
        const resources = await settledResources();
        const ds = byName(resources, "mla-datasources-c2");
        expect(ds.inputs.metadata.namespace).to.equal("mla");
        const [prometheus] = parse(ds.inputs.data["datasources-c2.yaml"]).datasources;
        expect(prometheus.orgId).to.equal(42);
        // Without gatewayRead, the Gateway component's read Service (mla-gateway-read:80) is used.
        expect(prometheus.url).to.equal("http://mla-gateway-read.cluster-c2.svc.cluster.local:80/api/prom");
    });

    it("adds the purge resource only when purgeOnDestroy is set", async () => {
        new Tenant("t", {
            clusterId: "c3",
            project: "proj",
            tenant: validTenant({ purgeOnDestroy: true }),
            gatewayRead: GATEWAY,
            orgId: 1,
            purge: { cortexUrl: "http://cortex-purger.mla.svc:8080", lokiUrl: "http://loki-backend.mla.svc:3100" },
        });
        const resources = await settledResources();
        const [purge] = ofType(resources, "pulumi-nodejs:dynamic/mla:TenantPurge");
        expect(purge.name).to.equal("t-purge");
        expect(purge.inputs).to.include({ tenantId: "c3", cortexUrl: "http://cortex-purger.mla.svc:8080" });
        // The seed sets deletion_mode for every tenant; the fragment does not change with purge.
        expect(byName(resources, "mla-overrides-loki-c3").inputs.data["overrides.yaml"]).to.not.match(/deletion_mode/);

        resetResources();
        new Tenant("u", { clusterId: "c4", project: "proj", tenant: validTenant(), gatewayRead: GATEWAY, orgId: 1 });
        const others = await settledResources();
        expect(ofType(others, "pulumi-nodejs:dynamic/mla:TenantPurge")).to.deep.equal([]);
        expect(byName(others, "mla-overrides-loki-c4").inputs.data["overrides.yaml"]).to.not.match(/deletion_mode/);
    });

    it("two tenants: A's objects keep their bytes while B is added, changed and removed", async () => {
        const objectsOf = (resources: RecordedResource[], id: string) =>
            [...ofType(resources, CM), ...ofType(resources, SECRET)]
                .filter((r) => r.inputs.metadata.name.endsWith(`-${id}`))
                .map((r) => JSON.stringify([r.inputs.metadata, r.inputs.data, r.inputs.stringData]))
                .sort();
        const stage = async (b?: Parameters<typeof validTenant>[0]) => {
            resetResources();
            new Tenant("a", {
                clusterId: "tenant-a",
                project: "p",
                tenant: validTenant(),
                gatewayRead: GATEWAY,
                orgId: 5,
            });
            if (b)
                new Tenant("b", {
                    clusterId: "tenant-b",
                    project: "p",
                    tenant: validTenant(b),
                    gatewayRead: GATEWAY,
                    orgId: 5,
                });
            const resources = await settledResources();
            expect(objectsOf(resources, "tenant-b")).to.have.length(b ? 6 : 0);
            return objectsOf(resources, "tenant-a");
        };
        const alone = await stage();
        expect(alone).to.have.length(6);
        expect(await stage({ retention: { metrics: "2160h", logs: "720h" } })).to.deep.equal(alone);
        expect(
            await stage({
                metricRuleGroups: [],
                purgeOnDestroy: false,
                logsLimits: { ...validTenant().logsLimits, maxStreamsPerUser: 1 },
            }),
        ).to.deep.equal(alone);
        expect(await stage()).to.deep.equal(alone);
    });

    it("rejects a broken owner config and rule with one error listing every problem, before registering anything", async () => {
        const tenant = validTenant({
            alertmanagerConfig: "route:\n  receiver: pager\nreceivers:\n  - name: ops\n",
            metricRuleGroups: [{ name: "owner", rules: [{ alert: "Down", expr: "", for: "five minutes" }] }],
            retention: { metrics: "720h", logs: "1h" },
        });
        expect(
            () =>
                new Tenant("t", {
                    clusterId: "C_1",
                    project: "proj",
                    tenant,
                    gatewayRead: GATEWAY,
                    purge: undefined,
                } as unknown as TenantArgs),
        ).to.throw(
            [
                "6 problems in tenant config:",
                '  - clusterId "C_1" must be a DNS-1123 label (lower-case letters, digits, "-") of at most 55 characters',
                '  - alertmanagerConfig.route.receiver "pager" is not one of the receivers',
                '  - metricRuleGroups group "owner" rule 1 (Down): expr must not be empty',
                '  - metricRuleGroups group "owner" rule 1 (Down) for must be a duration such as "5m" or "168h", got "five minutes"',
                '  - tenant.retention.logs must be at least 24h, got "1h"',
                "  - orgId (the project's Grafana org) is required",
            ].join("\n"),
        );
        const resources = await settledResources();
        expect(resources.filter((r) => r.type !== "mla:tenant:Tenant")).to.deep.equal([]);
    });
});
