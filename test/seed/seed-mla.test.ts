import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
    installMocks,
    resetResources,
    settledResources,
    findResource,
    ofType,
    isSecretOutput,
    promiseOf,
    type RecordedResource,
} from "../support/mocks";
import { assertAllSchemaValid } from "../support/k8s-schema";
import { SeedMla } from "../../components/seed/seed-mla";
import { seedChartValues } from "../../components/seed/seed-values";
import { seedProgram } from "../../programs/seed";
import { restrictedViolations } from "../charts/pss-restricted";
import { SEED_OUTPUT_NAMES, SECRET_SEED_OUTPUTS } from "../../spec/seed-contract";
import { defaultSeedPlan, type SeedPlan } from "../../spec/seed-plan";

const CHART = "kubernetes:helm.sh/v4:Chart";

function externalPlan(): SeedPlan {
    return {
        ...defaultSeedPlan(),
        objectStore: { kind: "s3", endpoint: "s3.example.com", region: "eu-west-1", insecure: false },
    };
}

/** Every string anywhere inside a value. */
function strings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value && typeof value === "object") return Object.values(value).flatMap(strings);
    return [];
}

const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** Whether a recorded input is a secret (the mocks see secrets wrapped with Pulumi's secret signature). */
function isWrappedSecret(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG.key] === SECRET_SIG.value;
}

/** A recorded input with secret wrappers removed. */
function unwrap(v: unknown): unknown {
    if (isWrappedSecret(v)) return unwrap((v as { value: unknown }).value);
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
    return v;
}

/** `[key, value]` of every string-valued field, at any depth. */
function stringFields(value: unknown): [string, string][] {
    if (Array.isArray(value)) return value.flatMap(stringFields);
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) =>
            typeof v === "string" ? [[k, v] as [string, string]] : stringFields(v),
        );
    }
    return [];
}

function charts(resources: RecordedResource[]): Record<string, RecordedResource> {
    return Object.fromEntries(ofType(resources, CHART).map((r) => [r.inputs.chart, r]));
}

describe("SeedMla under mocks", () => {
    before(() => installMocks());
    beforeEach(() => resetResources());

    it("installs cortex, loki, grafana and minio with exact pinned versions and repositories", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan() });
        const byChart = charts(await settledResources());
        const pins = Object.fromEntries(
            Object.entries(byChart).map(([c, r]) => [
                c,
                [r.inputs.version, r.inputs.repositoryOpts.repo, r.inputs.name, r.inputs.namespace],
            ]),
        );
        expect(pins).to.deep.equal({
            cortex: ["3.3.4", "https://cortexproject.github.io/cortex-helm-chart", "cortex", "mla"],
            loki: ["18.11.0", "https://grafana-community.github.io/helm-charts", "loki", "mla"],
            grafana: ["12.11.1", "https://grafana-community.github.io/helm-charts", "grafana", "mla"],
            minio: ["5.4.0", "https://charts.min.io/", "minio", "mla"],
        });
    });

    it("passes each chart exactly the values the renderers produce (what `mla render seed-values` writes)", async () => {
        const plan = defaultSeedPlan();
        new SeedMla("seed", { plan });
        const byChart = charts(await settledResources());
        const expected = seedChartValues(plan);
        for (const chart of ["cortex", "loki", "grafana", "minio"] as const) {
            expect(byChart[chart].inputs.values, chart).to.deep.equal(expected[chart]);
        }
    });

    it("turns multi-tenancy on and points both backends' storage at MinIO with the generated credentials", async () => {
        const seed = new SeedMla("seed", { plan: defaultSeedPlan() });
        const resources = await settledResources();
        const byChart = charts(resources);
        const cortex = byChart.cortex.inputs.values;
        const loki = byChart.loki.inputs.values;
        expect(cortex.config.auth_enabled).to.equal(true);
        expect(loki.loki.auth_enabled).to.equal(true);
        expect(cortex.config.blocks_storage.s3.endpoint).to.equal("minio.mla.svc.cluster.local:9000");
        expect(loki.loki.storage.s3.endpoint).to.equal("minio.mla.svc.cluster.local:9000");
        expect(cortex.config.blocks_storage.s3.access_key_id).to.equal("${S3_ACCESS_KEY_ID}");
        expect(cortex.distributor.extraArgs).to.deep.equal({ "config.expand-env": "true" });
        expect(loki.defaults.extraArgs).to.include("-config.expand-env=true");
        // The env comes from the Secret that holds the generated credentials, and MinIO uses the same Secret.
        const secret = findResource(resources, "kubernetes:core/v1:Secret", "seed-object-store-credentials");
        expect(isWrappedSecret(secret.inputs.stringData)).to.equal(true);
        expect(unwrap(secret.inputs.stringData)).to.deep.equal({
            S3_ACCESS_KEY_ID: "generated-seed-object-store-root-user",
            S3_SECRET_ACCESS_KEY: "generated-seed-object-store-root-password",
            rootUser: "generated-seed-object-store-root-user",
            rootPassword: "generated-seed-object-store-root-password",
        });
        expect(cortex.ingester.env[0].valueFrom.secretKeyRef.name).to.equal(secret.inputs.metadata.name);
        expect(loki.defaults.extraEnvFrom).to.deep.equal([{ secretRef: { name: secret.inputs.metadata.name } }]);
        expect(byChart.minio.inputs.values.existingSecret).to.equal(secret.inputs.metadata.name);
        expect(await promiseOf(seed.objectStoreSecretAccessKey)).to.equal("generated-seed-object-store-root-password");
    });

    it("enables the Alertmanager and ruler APIs and sends Loki ruler alerts to the Cortex Alertmanager", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan() });
        const byChart = charts(await settledResources());
        const cortex = byChart.cortex.inputs.values.config;
        expect(cortex.alertmanager.enable_api).to.equal(true);
        expect(cortex.ruler.enable_api).to.equal(true);
        const loki = byChart.loki.inputs.values.loki.rulerConfig;
        expect(loki.enable_api).to.equal(true);
        expect(loki.alertmanager_url).to.equal(
            "http://cortex-alertmanager.mla.svc.cluster.local:8080/api/prom/alertmanager",
        );
        expect(cortex.ruler.alertmanager_url).to.equal(loki.alertmanager_url);
    });

    it("registers no MinIO with an external S3 endpoint and stores its secret-config credentials", async () => {
        new SeedMla("seed", {
            plan: externalPlan(),
            s3Credentials: { accessKeyId: pulumi.secret("AKIAEXAMPLE"), secretAccessKey: pulumi.secret("s3cr3t/Key+") },
        });
        const resources = await settledResources();
        const byChart = charts(resources);
        expect(Object.keys(byChart).sort()).to.deep.equal(["cortex", "grafana", "loki"]);
        expect(ofType(resources, "random:index/randomPassword:RandomPassword").map((r) => r.name)).to.deep.equal([
            "seed-grafana-admin-password",
        ]);
        expect(byChart.cortex.inputs.values.config.blocks_storage.s3).to.include({
            endpoint: "s3.example.com",
            insecure: false,
        });
        expect(byChart.loki.inputs.values.loki.storage.s3).to.include({
            endpoint: "s3.example.com",
            region: "eu-west-1",
        });
        const secret = findResource(resources, "kubernetes:core/v1:Secret", "seed-object-store-credentials");
        expect(isWrappedSecret(secret.inputs.stringData)).to.equal(true);
        expect((unwrap(secret.inputs.stringData) as Record<string, string>).S3_SECRET_ACCESS_KEY).to.equal(
            "s3cr3t/Key+",
        );
    });

    it("rejects an external S3 endpoint without credentials and too few ingesters, naming both", () => {
        const plan = externalPlan();
        plan.cortex.replicas.ingester = 2;
        expect(() => new SeedMla("bad", { plan })).to.throw(
            'invalid SeedMla "bad": 2 problems:\n' +
                "  - an external S3 endpoint needs s3Credentials\n" +
                "  - cortex ingester replicas (2) must be at least the replication factor (3)",
        );
    });

    it("refuses more than one Grafana replica without an external database, and accepts it with one", async () => {
        const plan = defaultSeedPlan();
        plan.grafana.replicas = 2;
        expect(() => new SeedMla("bad", { plan })).to.throw(
            'invalid SeedMla "bad": 1 problem:\n' +
                "  - grafana.replicas is 2, but more than one replica needs grafana.database (PostgreSQL or MySQL); SQLite on a volume serves one replica",
        );
        plan.grafana.database = {
            type: "postgres",
            host: "db:5432",
            name: "grafana",
            user: "grafana",
            passwordSecret: { name: "grafana-db", key: "password" },
        };
        new SeedMla("ha", { plan });
        const grafana = charts(await settledResources()).grafana;
        expect(grafana.inputs.values.replicas).to.equal(2);
        expect(grafana.inputs.values.podDisruptionBudget).to.deep.equal({ minAvailable: 1 });
    });

    it("enforces Pod Security restricted on the MLA namespace and a separate Grafana namespace", async () => {
        const plan = defaultSeedPlan();
        plan.grafana.namespace = "grafana-ui";
        new SeedMla("seed", { plan });
        const namespaces = ofType(await settledResources(), "kubernetes:core/v1:Namespace");
        expect(namespaces.map((n) => n.inputs.metadata.name).sort()).to.deep.equal(["grafana-ui", "mla"]);
        for (const ns of namespaces) {
            expect(ns.inputs.metadata.labels, ns.name).to.deep.include({
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            });
        }
    });

    it("keeps every password out of chart values and every non-Secret object", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan() });
        const resources = await settledResources();
        const passwords = ofType(resources, "random:index/randomPassword:RandomPassword").map(
            (r) => `generated-${r.name}`,
        );
        expect(passwords).to.have.length(2);
        const holders = resources
            .filter((r) => strings(r.inputs).some((s) => passwords.some((p) => s.includes(p))))
            .map((r) => `${r.type} ${r.name}`);
        expect(holders).to.deep.equal([
            "kubernetes:core/v1:Secret seed-object-store-credentials",
            "kubernetes:core/v1:Secret seed-grafana-admin",
        ]);
        // Inside the Secrets, the passwords are secret inputs.
        for (const r of ofType(resources, "kubernetes:core/v1:Secret"))
            expect(isWrappedSecret(r.inputs.stringData), r.name).to.equal(true);
        // Credential-like chart fields hold only env references or Secret/key names, never literals.
        for (const chart of ofType(resources, CHART)) {
            const literal = stringFields(chart.inputs.values)
                .filter(([k]) =>
                    /password|secret_access_key|secretAccessKey|rootUser|access_key_id|accessKeyId/.test(k),
                )
                .filter(([, v]) => !/^\$\{[A-Z0-9_]+\}$/.test(v));
            expect(literal, chart.name).to.deep.equal(
                chart.name === "seed-grafana" ? [["passwordKey", "admin-password"]] : [],
            );
        }
    });

    it("creates only schema-valid Kubernetes objects, with PSS-restricted merger pods", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan() });
        const resources = await settledResources();
        const checked = await assertAllSchemaValid(resources);
        expect(checked.map((r) => `${r.type.split(":")[1]}/${r.type.split(":")[2]} ${r.name}`).sort()).to.deep.equal([
            "apps/v1/Deployment seed-overrides-merger",
            "core/v1/ConfigMap seed-overrides-merger-cortex-runtime",
            "core/v1/ConfigMap seed-overrides-merger-loki-runtime",
            "core/v1/ConfigMap seed-overrides-merger-scripts",
            "core/v1/Namespace seed-namespace",
            "core/v1/Secret seed-grafana-admin",
            "core/v1/Secret seed-object-store-credentials",
            "core/v1/ServiceAccount seed-overrides-merger-sa",
            "networking.k8s.io/v1/NetworkPolicy seed-network-policy",
            "rbac.authorization.k8s.io/v1/Role seed-overrides-merger-role",
            "rbac.authorization.k8s.io/v1/RoleBinding seed-overrides-merger-binding",
        ]);
        const pod = findResource(resources, "kubernetes:apps/v1:Deployment", "seed-overrides-merger").inputs.spec
            .template.spec;
        expect(restrictedViolations(pod)).to.deep.equal([]);
        for (const c of pod.containers)
            expect(c.resources, c.name).to.deep.equal(defaultSeedPlan().sizing.resources.overridesMerger.merger);
    });

    it("grants the merger read on ConfigMaps and writes only to the two runtime ConfigMaps", async () => {
        new SeedMla("seed", { plan: defaultSeedPlan() });
        const role = findResource(
            await settledResources(),
            "kubernetes:rbac.authorization.k8s.io/v1:Role",
            "seed-overrides-merger-role",
        );
        expect(role.inputs.rules).to.deep.equal([
            { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
            {
                apiGroups: [""],
                resources: ["configmaps"],
                resourceNames: ["cortex-runtime-config", "loki-mla-runtime"],
                verbs: ["update", "patch"],
            },
        ]);
    });

    it("runs the hook for default content with the namespace and delivery conventions", async () => {
        const seen: string[] = [];
        new SeedMla("seed", {
            plan: defaultSeedPlan(),
            defaultContent: [(ctx) => seen.push(`${ctx.namespace} ${Object.keys(ctx.delivery.metricRules.labels)[0]}`)],
        });
        await settledResources();
        expect(seen).to.deep.equal(["mla cortex_rules"]);
    });
});

describe("seedProgram under mocks", () => {
    before(() => installMocks());
    beforeEach(() => resetResources());

    it("uses an explicit provider from the configured kubeconfig for every seed resource", async () => {
        seedProgram({ plan: defaultSeedPlan(), kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") });
        const resources = await settledResources();
        const provider = findResource(resources, "pulumi:providers:kubernetes", "seed");
        expect(isWrappedSecret(provider.inputs.kubeconfig)).to.equal(true);
        expect(unwrap(provider.inputs.kubeconfig)).to.equal("apiVersion: v1\nkind: Config\n");
        const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:"));
        expect(k8sObjects.length).to.be.greaterThan(10);
        for (const r of k8sObjects) expect(r.provider, `${r.type} ${r.name}`).to.match(/^urn:.*::seed::/);
    });

    it("exports exactly the contract's outputs, with in-cluster URLs, and keeps secrets secret", async () => {
        const outputs = seedProgram({ plan: defaultSeedPlan() });
        expect(Object.keys(outputs)).to.deep.equal([...SEED_OUTPUT_NAMES]);
        const plain: Record<string, unknown> = {};
        for (const name of SEED_OUTPUT_NAMES) plain[name] = await promiseOf(outputs[name] as pulumi.Output<unknown>);
        expect(plain).to.deep.include({
            namespace: "mla",
            metricsPushUrl: "http://cortex-distributor.mla.svc.cluster.local:8080/api/v1/push",
            metricsQueryUrl: "http://cortex-query-frontend.mla.svc.cluster.local:8080/prometheus",
            alertmanagerUrl: "http://cortex-alertmanager.mla.svc.cluster.local:8080/api/prom/alertmanager",
            metricsRulerUrl: "http://cortex-ruler.mla.svc.cluster.local:8080/prometheus",
            metricsPurgerUrl: "http://cortex-purger.mla.svc.cluster.local:8080",
            logsDeleteUrl: "http://loki-compactor.mla.svc.cluster.local:3100",
            logsPushUrl: "http://loki-distributor.mla.svc.cluster.local:3100/loki/api/v1/push",
            logsQueryUrl: "http://loki-query-frontend.mla.svc.cluster.local:3100",
            logsRulerUrl: "http://loki-ruler.mla.svc.cluster.local:3100",
            grafanaUrl: "http://grafana.mla.svc.cluster.local",
            grafanaNamespace: "mla",
            grafanaAdminPassword: "generated-seed-grafana-admin-password",
        });
        expect((plain.tenantDelivery as { namespace: string }).namespace).to.equal("mla");
        // Every cluster stack can read every seed output; none needs the object store.
        expect(Object.keys(outputs)).to.not.include.members(["objectStoreAccessKeyId"]);
        expect(Object.keys(outputs)).to.not.include.members(["objectStoreSecretAccessKey"]);
        const everything = strings(plain).join("\n");
        expect(everything).to.not.include("generated-seed-object-store-root-user");
        expect(everything).to.not.include("generated-seed-object-store-root-password");
        for (const name of SEED_OUTPUT_NAMES) {
            const secret = await isSecretOutput(pulumi.output(outputs[name]));
            expect(secret, name).to.equal(SECRET_SEED_OUTPUTS.includes(name));
        }
    });
});
