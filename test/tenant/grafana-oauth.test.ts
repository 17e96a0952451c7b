/**
 * Grafana's generic OAuth with the org mapping from IdP groups: the pure builder, the seed config
 * loader, the chart values, and (where the pinned charts are present) the Grafana chart rendered by
 * the real Helm binary with exactly those values.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { grafanaOAuthIni, orgMappingValue } from "../../components/seed/grafana-oauth";
import { grafanaValues } from "../../components/seed/grafana-values";
import { ConfigReader, type ConfigSource } from "../../programs/config-reader";
import { loadGrafanaOAuth } from "../../programs/seed-oauth-config";
import { extractHelm } from "../../scripts/extract-helm";
import { GRAFANA_OAUTH_DEFAULTS, type GrafanaOAuth } from "../../spec/grafana-oauth";
import { defaultSeedPlan } from "../../spec/seed-plan";

function oauth(over: Partial<GrafanaOAuth> = {}): GrafanaOAuth {
    return {
        ...GRAFANA_OAUTH_DEFAULTS,
        name: "Keycloak",
        clientId: "mla-grafana",
        clientSecret: { name: "grafana-oauth", key: "client-secret" },
        authUrl: "https://sso.example.com/realms/mla/protocol/openid-connect/auth",
        tokenUrl: "https://sso.example.com/realms/mla/protocol/openid-connect/token",
        apiUrl: "https://sso.example.com/realms/mla/protocol/openid-connect/userinfo",
        orgMapping: { shop: { "shop-devs": "Editor", "shop-support": "Viewer" }, blog: { "blog-team": "Editor" } },
        ...over,
    };
}

const source = (values: Record<string, unknown>): ConfigSource => ({
    namespace: "mla",
    get: (k) => values[k],
    getSecret: () => undefined,
});

describe("Grafana OAuth org mapping (pure)", () => {
    it("renders auth.generic_oauth with the org mapping, the secret from the environment, and no role but the mapped ones", () => {
        expect(grafanaOAuthIni(oauth())).to.deep.equal({
            "auth.generic_oauth": {
                enabled: true,
                name: "Keycloak",
                client_id: "mla-grafana",
                client_secret: "$__env{MLA_GRAFANA_OAUTH_CLIENT_SECRET}",
                scopes: "openid profile email groups",
                auth_url: "https://sso.example.com/realms/mla/protocol/openid-connect/auth",
                token_url: "https://sso.example.com/realms/mla/protocol/openid-connect/token",
                api_url: "https://sso.example.com/realms/mla/protocol/openid-connect/userinfo",
                use_pkce: true,
                allow_sign_up: true,
                groups_attribute_path: "groups",
                allowed_groups: "blog-team,shop-devs,shop-support",
                org_attribute_path: "groups",
                org_mapping: "blog-team:blog:Editor,shop-devs:shop:Editor,shop-support:shop:Viewer",
                role_attribute_path: "'None'",
                role_attribute_strict: false,
                allow_assign_grafana_admin: false,
                skip_org_role_sync: false,
            },
        });
    });

    it("refuses a mapping to Admin or GrafanaAdmin, and groups that would split an org_mapping entry", () => {
        const bad = oauth({
            orgMapping: {
                shop: { "shop-admins": "Admin" as never, "a:b": "Viewer", "x y": "Editor" },
                blog: { ops: "GrafanaAdmin" as never },
            },
        });
        expect(() => grafanaOAuthIni(bad)).to.throw(
            "4 problems in grafana.oauth: " +
                'grafana.oauth.orgMapping.shop.shop-admins must be Viewer or Editor, got "Admin": tenants are Viewer or Editor, never Admin (an org Admin can create data sources); ' +
                'grafana.oauth.orgMapping.shop.a:b must be a group name without whitespace, commas, colons, quotes or brackets, and not "*"; ' +
                'grafana.oauth.orgMapping.shop.x y must be a group name without whitespace, commas, colons, quotes or brackets, and not "*"; ' +
                'grafana.oauth.orgMapping.blog.ops must be Viewer or Editor, got "GrafanaAdmin": tenants are Viewer or Editor, never Admin (an org Admin can create data sources)',
        );
        expect(() => grafanaOAuthIni(oauth({ orgMapping: { shop: { "*": "Viewer" } } }))).to.throw(
            /orgMapping\.shop\.\* must be a group name/,
        );
    });

    it("sorts the mapping so reordering the config changes nothing", () => {
        expect(orgMappingValue({ b: { z: "Viewer", a: "Editor" }, a: { m: "Viewer" } })).to.equal(
            "a:b:Editor,m:a:Viewer,z:b:Viewer",
        );
    });
});

describe("seed config grafana.oauth", () => {
    it("reads the settings with their defaults", () => {
        const reader = new ConfigReader(
            source({
                grafana: {
                    oauth: {
                        clientId: "mla-grafana",
                        clientSecret: { name: "grafana-oauth", key: "client-secret" },
                        authUrl: oauth().authUrl,
                        tokenUrl: oauth().tokenUrl,
                        apiUrl: oauth().apiUrl,
                        orgMapping: { shop: { "shop-devs": "Editor" } },
                    },
                },
            }),
        );
        const loaded = loadGrafanaOAuth(reader);
        reader.done();
        expect(loaded).to.deep.equal({ ...oauth({ name: "SSO", orgMapping: { shop: { "shop-devs": "Editor" } } }) });
        expect(loadGrafanaOAuth(new ConfigReader(source({})))).to.equal(undefined);
    });

    it("refuses Admin in the mapping, a plain-text secret and http URLs, naming each key", () => {
        const reader = new ConfigReader(
            source({
                grafana: {
                    oauth: {
                        clientId: "mla-grafana",
                        clientSecret: "s3cr3t",
                        authUrl: "http://sso.example.com/auth",
                        tokenUrl: oauth().tokenUrl,
                        apiUrl: oauth().apiUrl,
                        orgMapping: { shop: { "shop-admins": "Admin" } },
                    },
                },
            }),
        );
        loadGrafanaOAuth(reader);
        expect(() => reader.done()).to.throw(/^(?![\s\S]*s3cr3t)/);
        expect(() => reader.done()).to.throw(
            "3 problems in stack config: mla:grafana.oauth.clientSecret must be {name, key} of the Secret holding the client secret (never the secret itself); " +
                'mla:grafana.oauth.authUrl must be an https:// URL, got "http://sso.example.com/auth"; ' +
                'mla:grafana.oauth.orgMapping.shop.shop-admins must be Viewer or Editor, got "Admin": tenants are Viewer or Editor, never Admin (an org Admin can create data sources)',
        );
    });
});

describe("Grafana chart values with OAuth", () => {
    const plan = () => {
        const p = defaultSeedPlan();
        p.grafana = { ...p.grafana, oauth: oauth() };
        return p;
    };

    it("puts auth.generic_oauth into grafana.ini and the client secret into the env from its Secret", () => {
        const values = grafanaValues(plan());
        expect((values["grafana.ini"] as Record<string, unknown>)["auth.generic_oauth"]).to.deep.equal(
            grafanaOAuthIni(oauth())["auth.generic_oauth"],
        );
        expect((values.envValueFrom as Record<string, unknown>).MLA_GRAFANA_OAUTH_CLIENT_SECRET).to.deep.equal({
            secretKeyRef: { name: "grafana-oauth", key: "client-secret" },
        });
        expect(grafanaValues(defaultSeedPlan())["grafana.ini"] ?? {}).to.not.have.property("auth.generic_oauth");
    });

    const chartsDir = resolve(process.env.MLA_CHARTS_DIR ?? join(__dirname, "../../../shared/reference/charts"));
    const chart = join(chartsDir, "grafana");
    (existsSync(chart) ? it : it.skip)(
        `renders with the real Helm and the pinned Grafana chart (${chart}): ini and env as built, the chart's leaked-secret check passes`,
        function () {
            this.timeout(60_000);
            const helm = extractHelm().helm;
            const dir = mkdtempSync(join(tmpdir(), "mla-oauth-"));
            try {
                const valuesFile = join(dir, "values.json");
                writeFileSync(valuesFile, JSON.stringify(grafanaValues(plan())));
                const out = execFileSync(helm, ["template", "grafana", chart, "--namespace", "mla", "-f", valuesFile], {
                    encoding: "utf8",
                    maxBuffer: 64 * 1024 * 1024,
                });
                type Container = { name: string; env?: { name: string }[] };
                type Doc = {
                    kind?: string;
                    data?: Record<string, string>;
                    spec?: { template: { spec: { containers: Container[] } } };
                };
                const docs = parseAllDocuments(out)
                    .map((d) => d.toJS() as Doc)
                    .filter((d) => d && d.kind);
                const ini = docs.find((d) => d.kind === "ConfigMap" && d.data?.["grafana.ini"])!.data!["grafana.ini"];
                const section = ini.split(/^\[/m).find((s) => s.startsWith("auth.generic_oauth]"))!;
                expect(section).to.match(
                    /^org_mapping = blog-team:blog:Editor,shop-devs:shop:Editor,shop-support:shop:Viewer$/m,
                );
                expect(section).to.match(/^role_attribute_path = 'None'$/m);
                expect(section).to.match(/^allow_assign_grafana_admin = false$/m);
                expect(section).to.match(/^client_secret = \$__env\{MLA_GRAFANA_OAUTH_CLIENT_SECRET\}$/m);
                const deployment = docs.find((d) => d.kind === "Deployment")!;
                const grafana = deployment.spec!.template.spec.containers.find((c) => c.name === "grafana")!;
                expect(grafana.env!.find((e) => e.name === "MLA_GRAFANA_OAUTH_CLIENT_SECRET")).to.deep.equal({
                    name: "MLA_GRAFANA_OAUTH_CLIENT_SECRET",
                    valueFrom: { secretKeyRef: { name: "grafana-oauth", key: "client-secret" } },
                });
                // With the secret inline, the chart's own check refuses to render.
                const leaked = grafanaValues(plan()) as Record<string, Record<string, Record<string, unknown>>>;
                leaked["grafana.ini"]["auth.generic_oauth"].client_secret = "inline";
                writeFileSync(valuesFile, JSON.stringify(leaked));
                expect(() =>
                    execFileSync(helm, ["template", "grafana", chart, "-f", valuesFile], {
                        encoding: "utf8",
                        stdio: "pipe",
                    }),
                ).to.throw(/Sensitive key 'auth.generic_oauth.client_secret'/);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        },
    );
});
