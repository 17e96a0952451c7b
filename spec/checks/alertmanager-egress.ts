/**
 * Where an owner's Alertmanager config may send requests: only to public hosts, never with a
 * tenant header, never by reading the Alertmanager's own files. The multi-tenant Alertmanager runs
 * inside the seed, next to backends that trust `X-Scope-OrgID`; a receiver aimed at one of them
 * (for example `http://cortex-purger.mla.svc.cluster.local:8080/purger/delete_tenant` with
 * `X-Scope-OrgID: victim`) would act as any tenant. The rules, with examples, are in
 * docs/tenant-isolation.md; in short:
 *
 * - every field the Alertmanager dials (each integration's endpoint, `global.*_url`,
 *   `http_config.proxy_url`, `oauth2.token_url`, `oauth2.proxy_url`, an email `smarthost`) must
 *   name a public host (`alertmanager-url-host.ts`);
 * - tenant-identity headers (`X-Scope-OrgID` in any spelling, Grafana's org and auth-proxy
 *   headers) are refused in every header map, and so are raw credential and hop-by-hop headers:
 *   credentials go in `basic_auth`/`authorization`/`oauth2`, which travel only to the checked URL;
 * - `follow_redirects: true` is refused: a public URL could redirect inward; and the delivered
 *   config gets `follow_redirects: false` on every HTTP client it configures
 *   ({@link withoutRedirects}), since the Alertmanager's default is to follow;
 * - `http_headers.*.files` and `templates` are refused like every `*_file` field: they read the
 *   Alertmanager's disk;
 * - SNS must sign with the tenant's own keys, never the seed's AWS identity.
 */
import { type Document, type YAMLMap, isMap, isSeq, parseDocument } from "yaml";
import { QUIET_YAML } from "../yaml-quiet";
import { receiverUrlProblem } from "./alertmanager-url-host";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Per integration, the fields holding the URL the Alertmanager sends to (configuration reference). */
export const DIALED_URL_FIELDS: Readonly<Record<string, readonly string[]>> = {
    webhook_configs: ["url"],
    slack_configs: ["api_url"],
    pagerduty_configs: ["url"],
    opsgenie_configs: ["api_url"],
    victorops_configs: ["api_url"],
    wechat_configs: ["api_url"],
    telegram_configs: ["api_url"],
    discord_configs: ["webhook_url"],
    webex_configs: ["api_url"],
    msteams_configs: ["webhook_url"],
    sns_configs: ["api_url"],
    // Pushover posts to its fixed API; its `url` is a link shown in the message, never fetched.
    pushover_configs: [],
    email_configs: [],
};

/** The keys of `<http_config>` (prometheus/common), so nothing unchecked slips through. */
const HTTP_CONFIG_KEYS = new Set([
    "basic_auth",
    "authorization",
    "oauth2",
    "enable_http2",
    "proxy_url",
    "no_proxy",
    "proxy_from_environment",
    "proxy_connect_header",
    "follow_redirects",
    "tls_config",
    "http_headers",
]);

/**
 * Header names refused everywhere, compared lower-case with `_` read as `-` (some proxies map one
 * to the other). Tenant identity first, then credentials that belong in typed fields, then
 * hop-by-hop and framing headers that could split or redirect a request.
 */
const REFUSED_HEADERS: Readonly<Record<string, string>> = {
    "x-scope-orgid": "sets the tenant of the seed's backends",
    "x-grafana-org-id": "selects a Grafana org",
    "x-webauth-user": "is Grafana's auth-proxy user header",
    authorization: "carries credentials; use http_config.authorization or basic_auth",
    "proxy-authorization": "carries proxy credentials",
    cookie: "carries session credentials",
    host: "changes the virtual host the request is routed to",
    "transfer-encoding": "changes request framing",
    "content-length": "changes request framing",
    connection: "is a hop-by-hop header",
    te: "is a hop-by-hop header",
    upgrade: "is a hop-by-hop header",
    "x-forwarded-for": "spoofs the client address",
    "x-forwarded-host": "spoofs the virtual host",
    "x-real-ip": "spoofs the client address",
};

/** Why a header name is refused, or undefined. */
export function refusedHeaderReason(name: string): string | undefined {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return "is not a valid header name";
    const key = name.toLowerCase().replace(/_/g, "-");
    if (key.startsWith("x-scope-")) return REFUSED_HEADERS["x-scope-orgid"];
    return REFUSED_HEADERS[key];
}

function urlField(value: unknown, path: string, problems: string[]): void {
    if (value === undefined || value === null) return;
    if (typeof value !== "string") {
        problems.push(`${path} must be a URL string`);
        return;
    }
    const problem = receiverUrlProblem(value, path);
    if (problem) problems.push(problem);
}

function headerNames(map: unknown, path: string, problems: string[]): void {
    if (map === undefined || map === null) return;
    if (!isObj(map)) {
        problems.push(`${path} must be a mapping of header names`);
        return;
    }
    for (const name of Object.keys(map)) {
        const why = refusedHeaderReason(name);
        if (why) problems.push(`${path} sets the header "${name}", which ${why}; it is refused in tenant configs`);
    }
}

/** Every problem with one `<http_config>` at `path`. */
export function httpConfigProblems(config: unknown, path: string): string[] {
    if (config === undefined || config === null) return [];
    if (!isObj(config)) return [`${path} must be a mapping`];
    const problems: string[] = [];
    for (const key of Object.keys(config)) {
        if (!HTTP_CONFIG_KEYS.has(key)) {
            problems.push(`${path} has an unknown key "${key}" (known: ${[...HTTP_CONFIG_KEYS].join(", ")})`);
        }
    }
    if (config.follow_redirects === true) {
        problems.push(
            `${path}.follow_redirects: true is refused: a public URL could redirect the Alertmanager to a seed-internal one`,
        );
    }
    urlField(config.proxy_url, `${path}.proxy_url`, problems);
    headerNames(config.proxy_connect_header, `${path}.proxy_connect_header`, problems);
    headerNames(config.http_headers, `${path}.http_headers`, problems);
    if (isObj(config.http_headers)) {
        for (const [name, spec] of Object.entries(config.http_headers)) {
            if (isObj(spec) && spec.files !== undefined) {
                problems.push(
                    `${path}.http_headers.${name}.files refers to local files, which tenant configs may not read; use values or secrets`,
                );
            }
        }
    }
    if (config.oauth2 !== undefined) {
        if (!isObj(config.oauth2)) problems.push(`${path}.oauth2 must be a mapping`);
        else {
            if (config.oauth2.token_url === undefined) problems.push(`${path}.oauth2.token_url is required`);
            urlField(config.oauth2.token_url, `${path}.oauth2.token_url`, problems);
            urlField(config.oauth2.proxy_url, `${path}.oauth2.proxy_url`, problems);
            headerNames(config.oauth2.proxy_connect_header, `${path}.oauth2.proxy_connect_header`, problems);
        }
    }
    return problems;
}

/** Why an SMTP smarthost (`host:port`) is refused, or undefined. */
function smarthostProblem(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || !/:\d{1,5}$/.test(value))
        return `${path} must be host:port, got ${JSON.stringify(value)}`;
    // The same host rules as for URLs: check it as the authority of an SMTP-less URL.
    const problem = receiverUrlProblem(`http://${value}`, path);
    return problem?.replace(JSON.stringify(`http://${value}`), JSON.stringify(value));
}

/**
 * SNS signs with the AWS SDK's default credential chain when no keys are given: the seed's own
 * identity (node role, pod identity, the pod's files). A tenant must bring its own keys, and may
 * name no profile (it reads the Alertmanager's disk); `role_arn` is then assumed with those keys.
 */
function sigv4Problems(sigv4: unknown, path: string): string[] {
    if (sigv4 === undefined || sigv4 === null)
        return [
            `${path} is required with access_key and secret_key: without them the Alertmanager signs with the seed's own AWS identity`,
        ];
    if (!isObj(sigv4)) return [`${path} must be a mapping`];
    const problems: string[] = [];
    if (
        typeof sigv4.access_key !== "string" ||
        sigv4.access_key === "" ||
        typeof sigv4.secret_key !== "string" ||
        sigv4.secret_key === ""
    ) {
        problems.push(
            `${path} needs access_key and secret_key: without them the Alertmanager signs with the seed's own AWS identity`,
        );
    }
    if (sigv4.profile !== undefined)
        problems.push(`${path}.profile reads the Alertmanager's AWS config files; use access_key and secret_key`);
    return problems;
}

/** Problems of one integration entry (`receivers[i].<key>[j]`). */
function integrationProblems(key: string, integration: Obj, path: string): string[] {
    const problems: string[] = [];
    for (const field of DIALED_URL_FIELDS[key] ?? []) urlField(integration[field], `${path}.${field}`, problems);
    if (key === "sns_configs") problems.push(...sigv4Problems(integration.sigv4, `${path}.sigv4`));
    if (key === "email_configs") {
        const p = smarthostProblem(integration.smarthost, `${path}.smarthost`);
        if (p) problems.push(p);
        headerNames(integration.headers, `${path}.headers`, problems);
    }
    problems.push(...httpConfigProblems(integration.http_config, `${path}.http_config`));
    return problems;
}

/**
 * Every egress problem of a parsed Alertmanager config `doc` (messages start with `root`).
 * Structure problems (unknown keys, missing names) are the receiver-key check's business.
 */
export function alertmanagerEgressProblems(doc: Obj, root = "alertmanagerConfig"): string[] {
    const problems: string[] = [];
    if (doc.templates !== undefined) {
        problems.push(
            `${root}.templates refers to local template files, which tenant configs may not read; put templates inline in the fields`,
        );
    }
    if (isObj(doc.global)) {
        for (const [key, value] of Object.entries(doc.global)) {
            if (key.endsWith("_url")) urlField(value, `${root}.global.${key}`, problems);
        }
        const p = smarthostProblem(doc.global.smtp_smarthost, `${root}.global.smtp_smarthost`);
        if (p) problems.push(p);
        problems.push(...httpConfigProblems(doc.global.http_config, `${root}.global.http_config`));
    }
    if (!Array.isArray(doc.receivers)) return problems;
    doc.receivers.forEach((receiver, i) => {
        if (!isObj(receiver)) return;
        const label =
            typeof receiver.name === "string"
                ? `${root}.receivers[${i}] (receiver "${receiver.name}")`
                : `${root}.receivers[${i}]`;
        for (const [key, list] of Object.entries(receiver)) {
            if (key === "name" || !Array.isArray(list)) continue;
            list.forEach((integration, j) => {
                if (isObj(integration))
                    problems.push(...integrationProblems(key, integration, `${label}.${key}[${j}]`));
            });
        }
    });
    return problems;
}

/** Sets `follow_redirects: false` in the mapping at `parent[key]`, creating it (or replacing an empty value). */
function forceNoRedirects(doc: Document, parent: YAMLMap, key: string): void {
    const existing: unknown = parent.get(key, true);
    const config = isMap(existing) ? existing : (doc.createNode({}) as YAMLMap);
    if (config !== existing) parent.set(key, config);
    config.set("follow_redirects", false);
}

/**
 * The owner's config as delivered: the same text (comments kept) with `follow_redirects: false`
 * in `global.http_config` (which every integration without its own `http_config` uses) and in
 * every integration's own `http_config`. The Alertmanager follows redirects by default, and a
 * public receiver URL could answer with a redirect into the seed; the receiver firewall would
 * stop the second hop, this stops the first. Call it on a config without problems.
 */
export function withoutRedirects(text: string): string {
    const doc = parseDocument(text, QUIET_YAML);
    const existing: unknown = doc.get("global", true);
    const global = isMap(existing) ? existing : (doc.createNode({}) as YAMLMap);
    if (global !== existing) doc.set("global", global);
    forceNoRedirects(doc, global, "http_config");
    const receivers = doc.get("receivers");
    if (!isSeq(receivers)) return doc.toString({ flowCollectionPadding: false });
    for (const receiver of receivers.items) {
        if (!isMap(receiver)) continue;
        for (const pair of receiver.items) {
            if (!isSeq(pair.value)) continue;
            for (const integration of pair.value.items) {
                if (isMap(integration) && integration.has("http_config"))
                    forceNoRedirects(doc, integration, "http_config");
            }
        }
    }
    return doc.toString({ flowCollectionPadding: false });
}
