/**
 * The project program under Pulumi mocks: the org, its members and dashboards as
 * `@pulumiverse/grafana` resources, the provider fed from the seed's outputs, and the org id
 * followed into a cluster stack's datasources.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
    findResource,
    installMocks,
    ofType,
    promiseOf,
    resetResources,
    setStackOutputs,
    settledResources,
    type RecordedResource,
} from "../support/mocks";

installMocks();

import { defaultDashboardTexts } from "../../components/seed-defaults/kubernetes-dashboards";
import { clusterProgram } from "../../programs/cluster";
import { resolveClusterSpec } from "../../spec/cluster-defaults";
import { ConfigReader, type ConfigSource } from "../../programs/config-reader";
import { projectProgram } from "../../programs/project";
import { loadProjectSpec } from "../../programs/project-config";
import { type ProjectSpec, projectStackName } from "../../spec/project-spec";

const SEED = "acme/mla/seed-eu1";
const SECRET_SIG = pulumi.runtime.specialSecretSig;
const ORG = "grafana:oss/organization:Organization";
const PROVIDER = "pulumi:providers:grafana";
const DASHBOARD = "grafana:oss/dashboard:Dashboard";
const FOLDER = "grafana:oss/folder:Folder";

setStackOutputs(SEED, {
    namespace: "mla",
    metricsPushUrl: "http://cortex-distributor.mla.svc:8080/api/v1/push",
    metricsQueryUrl: "http://cortex-query-frontend.mla.svc:8080/prometheus",
    alertmanagerUrl: "http://cortex-alertmanager.mla.svc:8080/api/prom/alertmanager",
    metricsRulerUrl: "http://cortex-ruler.mla.svc:8080/prometheus",
    logsPushUrl: "http://loki-distributor.mla.svc:3100/loki/api/v1/push",
    logsQueryUrl: "http://loki-query-frontend.mla.svc:3100",
    logsRulerUrl: "http://loki-ruler.mla.svc:3100",
    metricsPurgerUrl: "http://cortex-purger.mla.svc:8080",
    logsDeleteUrl: "http://loki-compactor.mla.svc:3100",
    grafanaUrl: "http://grafana.mla.svc.cluster.local",
    grafanaNamespace: "mla",
    grafanaAdminUser: "root",
    grafanaAdminPassword: "seed-grafana-password",
    tenantDelivery: {},
    adminMetricRuleGroups: [],
    adminLogRuleGroups: [],
});

function spec(over: Partial<ProjectSpec> = {}): ProjectSpec {
    return {
        project: "shop",
        seedStack: SEED,
        members: [
            { login: "bob", role: "Editor" },
            { email: "zoe@example.com", role: "Viewer" },
            { login: "alice", role: "Viewer" },
        ],
        ...over,
    };
}

async function run(s: ProjectSpec) {
    resetResources();
    const outputs = await projectProgram(s);
    return { outputs, resources: await settledResources() };
}

/** A mocked secret input arrives wrapped with the secret signature. */
function secretValue(input: unknown): unknown {
    const wrapped = input as Record<string, unknown>;
    expect(wrapped[pulumi.runtime.specialSigKey], "a secret input").to.equal(SECRET_SIG);
    return wrapped.value;
}

const providerName = (r: RecordedResource) => r.provider?.split("::").slice(0, -1).join("::").split("::").pop();

describe("project program (Grafana org per project)", () => {
    it("creates exactly one grafana Organization named after the project, with the members as viewers and editors and no admins", async () => {
        const { resources, outputs } = await run(spec());
        const orgs = ofType(resources, ORG);
        expect(orgs.map((r) => r.name)).to.deep.equal(["project"]);
        expect(orgs[0].inputs).to.deep.equal({
            name: "shop",
            adminUser: "root",
            createUsers: false,
            admins: [],
            editors: ["bob"],
            viewers: ["alice", "zoe@example.com"],
        });
        expect(providerName(orgs[0])).to.equal("grafana");
        expect(await promiseOf(outputs.grafanaOrgId as pulumi.Output<number>)).to.equal(42);
        expect(outputs).to.include({ project: "shop", seedStack: SEED, members: 3 });
        // Nothing of the old dynamic provider is left.
        expect(resources.filter((r) => r.type.includes("dynamic"))).to.deep.equal([]);
    });

    it("reaches Grafana with the seed's URL and admin credentials, the credentials as a secret", async () => {
        const { resources } = await run(spec());
        const provider = findResource(resources, PROVIDER, "grafana");
        expect(provider.inputs.url).to.equal("http://grafana.mla.svc.cluster.local");
        expect(secretValue(provider.inputs.auth)).to.equal("root:seed-grafana-password");
        expect(ofType(resources, "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).to.deep.equal([SEED]);

        const reachable = await run(spec({ grafanaUrl: "https://grafana.seed.example.com" }));
        expect(findResource(reachable.resources, PROVIDER, "grafana").inputs.url).to.equal(
            "https://grafana.seed.example.com",
        );
    });

    it("imports the default dashboards into the org's Kubernetes folder", async () => {
        const { resources } = await run(spec());
        const [folder] = ofType(resources, FOLDER);
        expect(folder.inputs).to.deep.equal({ orgId: "42", uid: "mla-kubernetes", title: "Kubernetes" });
        const dashboards = ofType(resources, DASHBOARD);
        const uids = defaultDashboardTexts().map((t) => JSON.parse(t).uid as string);
        expect(dashboards.map((d) => d.name)).to.deep.equal(uids.map((uid) => `project-dashboard-${uid}`));
        for (const d of dashboards) {
            expect(d.inputs).to.include({ orgId: "42", folder: "mla-kubernetes", overwrite: true });
            expect(providerName(d)).to.equal("grafana");
        }
    });

    it("grants Admin on no path: every grafana resource's inputs, for any valid member list, hold no admin but the seed's", async () => {
        const { resources } = await run(spec({ members: [{ login: "carol", role: "Editor" }] }));
        const grafanaResources = resources.filter((r) => r.type.startsWith("grafana:"));
        expect(grafanaResources.length).to.be.greaterThan(1);
        for (const r of grafanaResources) {
            expect(r.inputs.admins ?? [], `${r.type} ${r.name}`).to.deep.equal([]);
            expect(JSON.stringify(r.inputs), `${r.type} ${r.name}`).not.to.match(/"role":"Admin"|GrafanaAdmin/);
        }
    });

    it("refuses an Admin member before creating anything", async () => {
        resetResources();
        const bad = spec({ members: [{ login: "mallory", role: "Admin" as never }] });
        const error = await projectProgram(bad).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(error?.message).to.contain('members[0].role must be Viewer or Editor, got "Admin"');
        const resources = await settledResources();
        expect(resources.filter((r) => r.type.startsWith("grafana:"))).to.deep.equal([]);
    });

    it("feeds its org id, through the project stack, into a cluster stack's datasources", async () => {
        const { outputs } = await run(spec());
        setStackOutputs(projectStackName(SEED, "shop"), {
            grafanaOrgId: await promiseOf(outputs.grafanaOrgId as pulumi.Output<number>),
        });
        resetResources();
        await clusterProgram(
            resolveClusterSpec({
                clusterId: "c7",
                project: "shop",
                seedStack: SEED,
                seedKubeconfig: pulumi.secret("seed"),
                userKubeconfig: pulumi.secret("user"),
                gateway: { externalHostnames: ["mla-c7.example.com"] },
            }),
        );
        const resources = await settledResources();
        // A Secret: the file carries the gateway's read token.
        const ds = ofType(resources, "kubernetes:core/v1:Secret").find((r) => r.name === "tenant-datasources")!;
        const file = parse(Object.values(secretValue(ds.inputs.stringData) as Record<string, string>)[0]) as {
            datasources: { uid: string; orgId: number }[];
        };
        expect(file.datasources.map((d) => [d.uid, d.orgId])).to.deep.equal([
            ["prometheus-c7", 42],
            ["loki-c7", 42],
            ["alertmanager-c7", 42],
        ]);
        expect(ofType(resources, "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).to.contain(
            "acme/mla/seed-eu1.shop",
        );
    });
});

describe("project stack config (mla:kind project)", () => {
    const source = (values: Record<string, unknown>): ConfigSource => ({
        namespace: "mla",
        get: (k) => values[k],
        getSecret: () => undefined,
    });

    it("reads project, seedStack, members and seedApi.grafanaUrl", () => {
        const loaded = loadProjectSpec(
            new ConfigReader(
                source({
                    project: "shop",
                    seedStack: SEED,
                    members: [{ login: "bob", role: "Editor" }],
                    seedApi: { grafanaUrl: "https://grafana.example.com" },
                }),
            ),
        );
        expect(loaded).to.deep.equal({
            project: "shop",
            seedStack: SEED,
            members: [{ login: "bob", role: "Editor" }],
            grafanaUrl: "https://grafana.example.com",
        });
        expect(loadProjectSpec(new ConfigReader(source({ project: "shop", seedStack: SEED }))).members).to.deep.equal(
            [],
        );
    });

    it("refuses Admin in mla:members, and every other mistake, in one error", () => {
        expect(() =>
            loadProjectSpec(
                new ConfigReader(
                    source({
                        project: "Shop",
                        members: [{ login: "mallory", role: "Admin" }, { role: "Viewer" }],
                        seedApi: { grafanaOrgId: 3 },
                    }),
                ),
            ),
        ).to.throw(
            "5 problems in stack config: mla:seedApi.grafanaOrgId is not used by project stacks (only grafanaUrl); mla:seedStack is required; " +
                'mla:project must be a DNS-1123 label, got "Shop"; ' +
                'mla:members[0].role must be Viewer or Editor, got "Admin": tenants are Viewer or Editor, never Admin (an org Admin can create data sources); ' +
                "mla:members[1] must have exactly one of login or email",
        );
    });
});
