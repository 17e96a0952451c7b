/**
 * The seed's own objects from their pure builders: namespaces, the credentials Secrets, the
 * overrides merger's objects, the default dashboards ConfigMap and the charts' args. Each is valid
 * against the Kubernetes schema and holds what the charts and pods rely on.
 */
import { expect } from "chai";
import { pinnedChartArgs, SEED_CHARTS } from "../../components/seed/charts";
import { GRAFANA_ADMIN_KEYS } from "../../components/seed/grafana-values";
import {
    EMPTY_RUNTIME_CONFIG,
    MERGER_IMAGE,
    MERGER_RESOURCES,
    SCRIPTS_CHECKSUM_ANNOTATION,
    mergerDeploymentArgs,
    mergerLabels,
    mergerRoleArgs,
    mergerRoleBindingArgs,
    mergerScriptsConfigMapArgs,
    mergerServiceAccountArgs,
    runtimeConfigMapArgs,
    scriptsChecksum,
} from "../../components/seed/overrides-merger-objects";
import { grafanaAdminSecretArgs, objectStoreSecretArgs, seedNamespaceArgs } from "../../components/seed/seed-objects";
import { S3_ENV, SEED_OBJECT_NAMES } from "../../components/seed/seed-plan";
import { defaultDashboardsConfigMapArgs } from "../../components/seed-defaults/seed-defaults-objects";
import { defaultDashboards } from "../../components/seed-defaults/kubernetes-dashboards";
import { podSecurityLabels } from "../../components/common/pod-security";
import { TENANT_DELIVERY_CONVENTIONS } from "../../spec/tenant-delivery";
import { KIND, objectSchemaErrors } from "../support/object-schema";

describe("seed object builders (pure)", () => {
    it("labels a seed namespace with the labels it is given, nothing else", async () => {
        const ns = seedNamespaceArgs("mla", podSecurityLabels("restricted"));
        expect(await objectSchemaErrors(KIND.namespace, ns)).to.equal("");
        expect(ns).to.deep.equal({ metadata: { name: "mla", labels: podSecurityLabels("restricted") } });
    });

    it("holds the S3 credentials under the env names Cortex and Loki expand and the keys MinIO's existingSecret reads", async () => {
        const secret = objectStoreSecretArgs({ namespace: "mla", accessKeyId: "AK", secretAccessKey: "SK" });
        expect(await objectSchemaErrors(KIND.secret, secret)).to.equal("");
        expect(secret.metadata).to.deep.equal({ name: SEED_OBJECT_NAMES.s3Secret, namespace: "mla" });
        expect(secret.type).to.equal("Opaque");
        expect(secret.stringData).to.deep.equal({
            [S3_ENV.accessKeyId]: "AK",
            [S3_ENV.secretAccessKey]: "SK",
            rootUser: "AK",
            rootPassword: "SK",
        });
    });

    it("holds Grafana's admin login under the keys the chart's admin.existingSecret names", async () => {
        const secret = grafanaAdminSecretArgs({ namespace: "grafana", user: "admin", password: "pw" });
        expect(await objectSchemaErrors(KIND.secret, secret)).to.equal("");
        expect(secret).to.deep.equal({
            metadata: { name: SEED_OBJECT_NAMES.grafanaAdminSecret, namespace: "grafana" },
            type: "Opaque",
            stringData: { [GRAFANA_ADMIN_KEYS.user]: "admin", [GRAFANA_ADMIN_KEYS.password]: "pw" },
        });
    });

    it("files every default dashboard as <uid>.json in the sidecar's labelled ConfigMap, under the given folder", async () => {
        const config = defaultDashboardsConfigMapArgs("mla", "Kubernetes");
        expect(await objectSchemaErrors(KIND.configMap, config)).to.equal("");
        const d = TENANT_DELIVERY_CONVENTIONS.grafanaDashboards;
        expect(config.metadata).to.deep.equal({
            name: "mla-default-dashboards",
            namespace: "mla",
            labels: { "app.kubernetes.io/part-of": "mla", ...d.labels },
            annotations: { [d.folderAnnotation]: "Kubernetes" },
        });
        const data = config.data as Record<string, string>;
        expect(Object.keys(data)).to.deep.equal(defaultDashboards().map((db) => `${db.uid}.json`));
        for (const db of defaultDashboards()) expect(JSON.parse(data[`${db.uid}.json`]!).uid).to.equal(db.uid);
    });

    it("gives each chart its pinned version, repository and release name", () => {
        const args = pinnedChartArgs({ ref: SEED_CHARTS.cortex, namespace: "mla", values: { a: 1 } });
        expect(args).to.deep.equal({
            chart: "cortex",
            version: SEED_CHARTS.cortex.version,
            repositoryOpts: { repo: SEED_CHARTS.cortex.repo },
            name: "cortex",
            namespace: "mla",
            values: { a: 1 },
        });
        expect(SEED_CHARTS.cortex.version).to.match(/^\d+\.\d+\.\d+$/);
    });
});

describe("overrides merger object builders (pure)", () => {
    const at = { namespace: "mla", labels: mergerLabels("seed-overrides-merger") };

    it("starts a runtime ConfigMap with an empty overrides map, marked as the merger's", async () => {
        const config = runtimeConfigMapArgs("cortex-runtime-config", "runtime_config.yaml", "mla");
        expect(await objectSchemaErrors(KIND.configMap, config)).to.equal("");
        expect(config).to.deep.equal({
            metadata: {
                name: "cortex-runtime-config",
                namespace: "mla",
                labels: { "app.kubernetes.io/managed-by": "mla-overrides-merger" },
            },
            data: { "runtime_config.yaml": EMPTY_RUNTIME_CONFIG },
        });
    });

    it("lets the merger read ConfigMaps and write only the runtime ConfigMaps, bound to its own account", async () => {
        const role = mergerRoleArgs(at, ["cortex-runtime-config", "loki-mla-runtime"]);
        const binding = mergerRoleBindingArgs(at, {
            role: "mla-overrides-merger",
            serviceAccount: "mla-overrides-merger",
        });
        const sa = mergerServiceAccountArgs(at);
        const scripts = mergerScriptsConfigMapArgs(at, { "cortex.sh": "#!/bin/sh\n" });
        expect(await objectSchemaErrors(KIND.role, role)).to.equal("");
        expect(await objectSchemaErrors(KIND.roleBinding, binding)).to.equal("");
        expect(await objectSchemaErrors(KIND.serviceAccount, sa)).to.equal("");
        expect(await objectSchemaErrors(KIND.configMap, scripts)).to.equal("");
        expect(role.rules).to.deep.equal([
            { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
            {
                apiGroups: [""],
                resources: ["configmaps"],
                resourceNames: ["cortex-runtime-config", "loki-mla-runtime"],
                verbs: ["update", "patch"],
            },
        ]);
        expect(binding.roleRef).to.deep.equal({
            apiGroup: "rbac.authorization.k8s.io",
            kind: "Role",
            name: "mla-overrides-merger",
        });
        expect(binding.subjects).to.deep.equal([
            { kind: "ServiceAccount", name: "mla-overrides-merger", namespace: "mla" },
        ]);
    });

    it("runs one restricted container per backend with its script, rolled by the scripts' checksum", async () => {
        const scripts = { "cortex.sh": "c", "loki.sh": "l" };
        const deployment = mergerDeploymentArgs({
            ...at,
            backends: ["cortex", "loki"],
            scripts,
            image: MERGER_IMAGE,
            resources: MERGER_RESOURCES,
            serviceAccountName: "mla-overrides-merger",
            scriptsConfigMapName: "mla-overrides-merger",
        });
        expect(await objectSchemaErrors(KIND.deployment, deployment)).to.equal("");
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walked freely; the assertions check the shape
        const spec = deployment.spec as any;
        expect(spec.selector.matchLabels).to.deep.equal(at.labels);
        expect(spec.template.metadata.annotations).to.deep.equal({
            [SCRIPTS_CHECKSUM_ANNOTATION]: scriptsChecksum(scripts),
        });
        const containers = spec.template.spec.containers;
        expect(containers.map((c: { name: string; command: string[] }) => [c.name, c.command])).to.deep.equal([
            ["cortex", ["/bin/sh", "/scripts/cortex.sh"]],
            ["loki", ["/bin/sh", "/scripts/loki.sh"]],
        ]);
        for (const c of containers) {
            expect(c.image).to.equal(MERGER_IMAGE);
            expect(c.securityContext).to.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        }
        expect(spec.template.spec.securityContext).to.include({ runAsNonRoot: true, runAsUser: 65534 });
    });

    it("changes the checksum when a script changes, and not when only the key order does", () => {
        expect(scriptsChecksum({ "a.sh": "1", "b.sh": "2" })).to.equal(scriptsChecksum({ "b.sh": "2", "a.sh": "1" }));
        expect(scriptsChecksum({ "a.sh": "1" })).to.not.equal(scriptsChecksum({ "a.sh": "2" }));
    });
});
