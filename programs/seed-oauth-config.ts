/**
 * `mla:grafana.oauth` of the seed config: Grafana's generic OAuth sign-in with the org mapping
 * project → IdP group → role. Every problem is recorded on the reader, an Admin role among them.
 */
import type { TenantRole } from "../spec/project-spec";
import type { ConfigReader } from "./config-reader";
import { GRAFANA_OAUTH_DEFAULTS, type GrafanaOAuth, grafanaOAuthProblems } from "../spec/grafana-oauth";

const FIELDS = [
    "name",
    "clientId",
    "clientSecret",
    "authUrl",
    "tokenUrl",
    "apiUrl",
    "scopes",
    "groupsAttributePath",
    "orgMapping",
    "allowSignUp",
];

/**
 * `clientSecret`: `{name, key}` of the Secret. Anything else is refused without echoing it: it may
 * be the secret itself, pasted into the config.
 */
function clientSecretRef(reader: ConfigReader, raw: unknown): GrafanaOAuth["clientSecret"] {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        reader.problem(
            "grafana.oauth.clientSecret",
            "must be {name, key} of the Secret holding the client secret (never the secret itself)",
        );
        return { name: "", key: "" };
    }
    return {
        name: reader.string("grafana.oauth.clientSecret.name", { required: true }),
        key: reader.string("grafana.oauth.clientSecret.key", { required: true }),
    };
}

/** Reads `grafana.oauth`; undefined when it is not set. Problems go to the reader. */
export function loadGrafanaOAuth(reader: ConfigReader): GrafanaOAuth | undefined {
    const raw = reader.object("grafana.oauth");
    if (raw === undefined) return undefined;
    for (const key of Object.keys(raw))
        if (!FIELDS.includes(key))
            reader.problem(`grafana.oauth.${key}`, `is not a grafana.oauth field (${FIELDS.join(", ")})`);
    const mapping: Record<string, Record<string, TenantRole>> = {};
    for (const [project, groups] of Object.entries(reader.object("grafana.oauth.orgMapping") ?? {})) {
        mapping[project] = (
            typeof groups === "object" && groups !== null && !Array.isArray(groups) ? groups : {}
        ) as Record<string, TenantRole>;
    }
    const oauth: GrafanaOAuth = {
        name: reader.string("grafana.oauth.name", { default: GRAFANA_OAUTH_DEFAULTS.name })!,
        clientId: reader.string("grafana.oauth.clientId", { required: true }),
        clientSecret: clientSecretRef(reader, raw.clientSecret),
        authUrl: reader.string("grafana.oauth.authUrl", { required: true }),
        tokenUrl: reader.string("grafana.oauth.tokenUrl", { required: true }),
        apiUrl: reader.string("grafana.oauth.apiUrl", { required: true }),
        scopes: reader.string("grafana.oauth.scopes", { default: GRAFANA_OAUTH_DEFAULTS.scopes })!,
        groupsAttributePath: reader.string("grafana.oauth.groupsAttributePath", {
            default: GRAFANA_OAUTH_DEFAULTS.groupsAttributePath,
        })!,
        orgMapping: mapping,
        allowSignUp: reader.boolean("grafana.oauth.allowSignUp", GRAFANA_OAUTH_DEFAULTS.allowSignUp),
    };
    const given = (field: string): unknown =>
        field.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], oauth);
    for (const p of grafanaOAuthProblems(oauth)) {
        // Missing required strings were reported already.
        if (given(p.path.replace(/^grafana\.oauth\./, "")) === "") continue;
        reader.problem(p.path, p.message);
    }
    return oauth;
}
