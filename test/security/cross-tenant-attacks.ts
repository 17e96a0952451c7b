/**
 * The attacks of the cross-tenant suite, as data: who attacks with what, against which port, and
 * what may reach a backend. `cross-tenant.test.ts` runs them against two clusters' gateways.
 */
import type { UpstreamUrls } from "../../components/gateway/read-routes";
import type { CertMaterial, TestClusterPki } from "../support/pki";
import { type RawOutcome, type RawTls, head, sendRaw } from "./cross-tenant-raw";

/** The two tenants. */
export const A = "tenant-a";
export const B = "tenant-b";

/** What a gateway offers an attacker: its ports. */
export interface Target {
    writePort: number;
    readPort: number;
    /** The CA of the server certificate (an attacker may simply not verify it). */
    serverCa: string;
}

/** Everything the attacks draw on: both gateways and the credentials each tenant holds. */
export interface AttackWorld {
    a: Target;
    b: Target;
    pkiA: TestClusterPki;
    pkiB: TestClusterPki;
    tokenA: string;
    tokenB: string;
    /** Extra certificates made for the identity attacks. */
    forged: Record<string, CertMaterial>;
}

/** What may reach a backend during an attack without it counting as got through. */
export type Allowed = "nothing" | { backends: (keyof UpstreamUrls)[]; methods: string[] };

/** One attack. */
export interface Attack {
    group: string;
    name: string;
    /** The tenant whose credentials the attacker holds; what reaches a backend must carry this tenant only. */
    attacker: string;
    allowed: Allowed;
    /** Statuses the gateway should answer with (every status line must be one of these); 0 = no HTTP answer. */
    expectStatuses: number[];
    send(w: AttackWorld): Promise<RawOutcome>;
}

const PUSH_BODY = "hello";
const tls = (t: Target, c?: CertMaterial): RawTls => ({ ca: t.serverCa, cert: c?.certPem, key: c?.keyPem });
const tokenHeader = (t: string): [string, string] => ["X-MLA-Read-Token", t];

/** A POST with a 5-byte body and `Connection: close`. */
function post(path: string, headers: [string, string][] = [], method = "POST"): string {
    return (
        head(method, path, [
            ["Host", "gw"],
            ["Content-Length", String(PUSH_BODY.length)],
            ...headers,
            ["Connection", "close"],
        ]) + PUSH_BODY
    );
}
function get(path: string, headers: [string, string][] = [], method = "GET"): string {
    return head(method, path, [["Host", "gw"], ...headers, ["Connection", "close"]]);
}

const QUERY = "/api/prom/api/v1/query?query=up";
const nothing: Allowed = "nothing";
const ownMetricsPush: Allowed = { backends: ["metricsPushUrl"], methods: ["POST"] };
const ownQueries: Allowed = { backends: ["metricsQueryUrl", "logsQueryUrl"], methods: ["GET", "POST"] };

/** A push of metrics to A's write port with A's metrics certificate and extra raw header lines. */
function pushAsA(name: string, extraHead: string, expect: number[] = [200, 400], body = "hello"): Attack {
    return {
        group: "header smuggling (write port)",
        name,
        attacker: A,
        allowed: ownMetricsPush,
        expectStatuses: expect,
        send: (w) =>
            sendRaw(
                w.a.writePort,
                `POST /api/v1/push HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n${extraHead}Connection: close\r\n\r\n${body}`,
                tls(w.a, w.pkiA.metricsAgent),
            ),
    };
}

/** A form query to A's read port with A's token and extra raw header lines. */
function queryAsA(name: string, extraHead: string, body = "query=up", expect: number[] = [200, 400]): Attack {
    return {
        group: "header smuggling (read port)",
        name,
        attacker: A,
        allowed: ownQueries,
        expectStatuses: expect,
        send: (w) =>
            sendRaw(
                w.a.readPort,
                `POST /api/prom/api/v1/query HTTP/1.1\r\nHost: gw\r\nX-MLA-Read-Token: ${w.tokenA}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
                    `${extraHead}Connection: close\r\n\r\n${body}`,
            ),
    };
}

/** The smuggled second request several tricks try to slip past nginx: a push as tenant B. */
const SMUGGLED =
    "POST /loki/api/v1/push HTTP/1.1\r\nHost: gw\r\nX-Scope-OrgID: tenant-b\r\nContent-Length: 5\r\n\r\nhello";
const SMUGGLED_CHUNKED = `0\r\n\r\n${SMUGGLED}`;

/** Attacks while both gateways run normally. */
export function normalAttacks(): Attack[] {
    const crossCluster: Attack[] = [
        {
            name: "A's metrics certificate pushes metrics to B's write port",
            path: "/api/v1/push",
            cert: "metricsAgent" as const,
        },
        {
            name: "A's log certificate pushes logs to B's write port",
            path: "/loki/api/v1/push",
            cert: "logAgent" as const,
        },
    ].map((c) => ({
        group: "cross-cluster credentials",
        name: c.name,
        attacker: A,
        allowed: nothing,
        expectStatuses: [0, 400],
        send: (w: AttackWorld) => sendRaw(w.b.writePort, post(c.path), tls(w.b, w.pkiA[c.cert])),
    }));
    crossCluster.push(
        {
            group: "cross-cluster credentials",
            name: "A's metrics certificate pushes to B's write port claiming X-Scope-OrgID: tenant-b",
            attacker: A,
            allowed: nothing,
            expectStatuses: [0, 400],
            send: (w) =>
                sendRaw(w.b.writePort, post("/api/v1/push", [["X-Scope-OrgID", B]]), tls(w.b, w.pkiA.metricsAgent)),
        },
        {
            group: "cross-cluster credentials",
            name: "a certificate from A's CA with B's metrics-agent CN pushes to B's write port",
            attacker: A,
            allowed: nothing,
            expectStatuses: [0, 400],
            send: (w) => sendRaw(w.b.writePort, post("/api/v1/push"), tls(w.b, w.forged.bCnFromACa)),
        },
        {
            group: "cross-cluster credentials",
            name: "a certificate from A's CA with B's metrics-agent CN pushes to A's write port",
            attacker: A,
            allowed: nothing,
            expectStatuses: [403],
            send: (w) => sendRaw(w.a.writePort, post("/api/v1/push"), tls(w.a, w.forged.bCnFromACa)),
        },
        ...[
            ["queries B's metrics", get(QUERY)],
            ["queries B's logs", get("/loki/api/v1/query_range?query=%7Bjob%3D%22x%22%7D")],
            ["lists B's silences", get("/alertmanager/api/v2/silences")],
            ["reads B's rules", get("/api/prom/config/v1/rules")],
            ["reads B's Alertmanager config", get("/api/v1/alerts")],
        ].map(([what, raw]): Attack => ({
            group: "cross-cluster credentials",
            name: `A's read token ${what} on B's read port`,
            attacker: A,
            allowed: nothing,
            expectStatuses: [401],
            send: (w) => sendRaw(w.b.readPort, raw.replace("\r\n\r\n", `\r\nX-MLA-Read-Token: ${w.tokenA}\r\n\r\n`)),
        })),
        {
            group: "cross-cluster credentials",
            name: "A's read token creates a silence on B's read port",
            attacker: A,
            allowed: nothing,
            expectStatuses: [401],
            send: (w) =>
                sendRaw(
                    w.b.readPort,
                    post("/alertmanager/api/v2/silences", [
                        tokenHeader(w.tokenA),
                        ["Content-Type", "application/json"],
                    ]),
                ),
        },
    );

    const readPortWrites: Attack[] = [
        ["POST", "/loki/api/v1/push"],
        ["POST", "/api/v1/push"],
        ["POST", "/api/prom/push"],
        ["POST", "/api/prom/api/v1/push"],
        ["POST", "/loki/api/v1/push?query=x"],
        ["POST", "//loki/api/v1/push"],
        ["POST", "/loki/api/v1/query/../push"],
        ["POST", "/loki/api/v1/label/..%2f..%2fpush"],
        ["POST", "/loki/api/v1/label/%2e%2e/%2e%2e/v1/push"],
        ["POST", "/LOKI/api/v1/push"],
        ["GET", "/api/prom/api/v1/label/..%2F..%2F..%2F..%2Fapi/v1/push"],
        ["DELETE", "/api/prom/config/v1/rules/ns1"],
        ["POST", "/api/prom/config/v1/rules/ns1"],
        ["DELETE", "/api/prom/config/v1/rules/ns1/group1"],
        ["POST", "/loki/api/v1/rules/ns1"],
        ["DELETE", "/loki/api/v1/rules/ns1"],
        ["POST", "/api/prom/rules/ns1"],
        ["POST", "/loki/api/v1/delete?query=%7Bjob%3D%22x%22%7D&start=1"],
        ["PUT", "/loki/api/v1/delete?query=%7Bjob%3D%22x%22%7D"],
        ["DELETE", "/loki/api/v1/delete?request_id=1"],
        ["POST", "/api/prom/api/v1/admin/tsdb/delete_series?match[]=up"],
        ["POST", "/prometheus/api/v1/admin/tsdb/delete_series?match[]=up"],
        ["POST", "/purger/delete_tenant"],
        ["POST", "/api/v1/alerts"],
        ["DELETE", "/api/v1/alerts"],
        ["POST", "/alertmanager/api/v2/alerts"],
        ["PUT", "/alertmanager/api/v2/silences"],
        ["PATCH", "/alertmanager/api/v2/silence/abc"],
        ["POST", "/multitenant_alertmanager/delete_tenant_config"],
        ["POST", "/ingester/flush"],
        ["POST", "/ruler/delete_tenant_config"],
        ["GET", "/loki/api/v1/tail?query=%7Bjob%3D%22x%22%7D"],
        ["GET", "/config"],
        ["GET", "/api/v1/user_stats"],
    ].map(([method, path]): Attack => ({
        group: "writes and admin calls on the read port",
        name: `${method} ${path} with A's read token`,
        attacker: A,
        allowed: nothing,
        expectStatuses: [404, 405, 400],
        send: (w) => sendRaw(w.a.readPort, post(path, [tokenHeader(w.tokenA)], method)),
    }));
    readPortWrites.push({
        group: "writes and admin calls on the read port",
        name: "POST query with X-HTTP-Method-Override: DELETE (reaches the query-frontend as a POST query at most)",
        attacker: A,
        allowed: ownQueries,
        expectStatuses: [200],
        send: (w) =>
            sendRaw(
                w.a.readPort,
                post("/api/prom/api/v1/query", [tokenHeader(w.tokenA), ["X-HTTP-Method-Override", "DELETE"]]),
            ),
    });

    const tokens: Attack[] = (
        [
            ["no token", () => []],
            ["an empty token", () => [["X-MLA-Read-Token", ""]]],
            ["a wrong token", () => [["X-MLA-Read-Token", "W".repeat(48)]]],
            ["B's token", (w) => [tokenHeader(w.tokenB)]],
            ["A's token upper-cased", (w) => [tokenHeader(w.tokenA.toUpperCase())]],
            ["A's token lower-cased", (w) => [tokenHeader(w.tokenA.toLowerCase())]],
            ["A's token with a suffix", (w) => [tokenHeader(`${w.tokenA}x`)]],
            ["A's token with a prefix", (w) => [tokenHeader(`x${w.tokenA}`)]],
            ["A's token truncated by one character", (w) => [tokenHeader(w.tokenA.slice(0, -1))]],
            ["A's token as a bearer token", (w) => [["Authorization", `Bearer ${w.tokenA}`]]],
            ["A's token in an underscore header name", (w) => [["X_MLA_Read_Token", w.tokenA]]],
            ["B's token twice", (w) => [tokenHeader(w.tokenB), tokenHeader(w.tokenB)]],
            ["A's token inside a list with B's", (w) => [tokenHeader(`${w.tokenB}, ${w.tokenA}`)]],
        ] as [string, (w: AttackWorld) => [string, string][]][]
    ).map(([what, headers]) => ({
        group: "read token",
        name: `${what} on A's read port`,
        attacker: "none",
        allowed: nothing,
        expectStatuses: [401, 400],
        send: (w: AttackWorld) => sendRaw(w.a.readPort, get(QUERY, headers(w))),
    }));
    tokens.push(
        {
            group: "read token",
            name: "A's token in the query string on A's read port",
            attacker: "none",
            allowed: nothing,
            expectStatuses: [401],
            send: (w) => sendRaw(w.a.readPort, get(`${QUERY}&X-MLA-Read-Token=${w.tokenA}`)),
        },
        {
            group: "read token",
            name: "no token on a prefix route (label values) and on an unknown path",
            attacker: "none",
            allowed: nothing,
            expectStatuses: [401],
            send: (w) =>
                sendRaw(
                    w.a.readPort,
                    head("GET", "/api/prom/api/v1/label/job/values", [["Host", "gw"]]) + get("/metrics"),
                ),
        },
    );

    const identities: Attack[] = (
        [
            ["A's log certificate pushes to A's metrics route", "/api/v1/push", (w) => w.pkiA.logAgent, [403]],
            // Odd spellings of the metrics route: nginx normalises the path before it matches a
            // location, so each must meet the same identity check, or no route at all.
            ...(
                [
                    "/loki/api/v1/push/../../../../api/v1/push",
                    "/api/v1/%70ush",
                    "//api/v1/push",
                    "/api/v1/./push",
                    "/API/V1/PUSH",
                    "/api/v1/push/",
                ] as const
            ).map(
                (path) =>
                    [
                        `A's log certificate pushes to ${path}`,
                        path,
                        (w: AttackWorld) => w.pkiA.logAgent,
                        [400, 403, 404],
                    ] as [string, string, (w: AttackWorld) => CertMaterial | undefined, number[]],
            ),
            [
                "A's metrics certificate reaches a query route on the write port by path traversal",
                "/api/v1/push/../../api/prom/api/v1/query",
                (w) => w.pkiA.metricsAgent,
                [404, 405],
            ],
            [
                "A's metrics certificate pushes to A's logs route",
                "/loki/api/v1/push",
                (w) => w.pkiA.metricsAgent,
                [403],
            ],
            [
                "A's server certificate used as a client certificate",
                "/api/v1/push",
                (w) => w.pkiA.server,
                [0, 400, 403],
            ],
            ["no client certificate", "/api/v1/push", () => undefined, [0, 400]],
            [
                "a certificate from B's CA with A's metrics-agent CN",
                "/api/v1/push",
                (w) => w.forged.aCnFromBCa,
                [0, 400],
            ],
            ["A's CA, CN mla-metrics-agent.tenant-a.evil", "/api/v1/push", (w) => w.forged.cnSuffix, [403]],
            ["A's CA, CN evil-mla-metrics-agent.tenant-a", "/api/v1/push", (w) => w.forged.cnPrefix, [403]],
            [
                'A\'s CA, log-agent CN with O="x,CN=mla-metrics-agent.tenant-a"',
                "/api/v1/push",
                (w) => w.forged.escapedComma,
                [403],
            ],
        ] as [string, string, (w: AttackWorld) => CertMaterial | undefined, number[]][]
    ).map(([name, path, cert, expect]) => ({
        group: "client certificate identity",
        name,
        attacker: A,
        allowed: nothing,
        expectStatuses: expect,
        send: (w: AttackWorld) => sendRaw(w.a.writePort, post(path), tls(w.a, cert(w))),
    }));

    const smugglingWrite: Attack[] = [
        pushAsA("X-Scope-OrgID: tenant-b", "X-Scope-OrgID: tenant-b\r\n"),
        pushAsA("X-Scope-OrgID twice (tenant-b, tenant-b)", "X-Scope-OrgID: tenant-b\r\nX-Scope-OrgID: tenant-b\r\n"),
        pushAsA("X-Scope-OrgID twice (tenant-a, tenant-b)", "X-Scope-OrgID: tenant-a\r\nX-Scope-OrgID: tenant-b\r\n"),
        pushAsA("lower-case x-scope-orgid: tenant-b", "x-scope-orgid: tenant-b\r\n"),
        pushAsA("upper-case X-SCOPE-ORGID: tenant-b", "X-SCOPE-ORGID: tenant-b\r\n"),
        pushAsA("underscore X_Scope_OrgID: tenant-b", "X_Scope_OrgID: tenant-b\r\n"),
        pushAsA("federated X-Scope-OrgID: tenant-a|tenant-b", "X-Scope-OrgID: tenant-a|tenant-b\r\n"),
        pushAsA("space before the colon: X-Scope-OrgID : tenant-b", "X-Scope-OrgID : tenant-b\r\n"),
        pushAsA("obs-fold continuation line with X-Scope-OrgID", "X-Foo: a\r\n X-Scope-OrgID: tenant-b\r\n"),
        pushAsA("Connection: X-Scope-OrgID (asks the proxy to drop its own header)", "Connection: X-Scope-OrgID\r\n"),
        pushAsA("two Content-Length headers (5 and 50)", "Content-Length: 50\r\n"),
        pushAsA(
            "TE+CL: Transfer-Encoding: chunked with a push as tenant-b smuggled after the last chunk",
            "Transfer-Encoding: chunked\r\n",
            [200, 400, 403, 411],
            SMUGGLED_CHUNKED,
        ),
        // nginx answers 501 to a transfer coding it does not know.
        pushAsA("Transfer-Encoding: xchunked with Content-Length", "Transfer-Encoding: xchunked\r\n", [400, 501]),
        pushAsA(
            "Transfer-Encoding: chunked, identity with Content-Length",
            "Transfer-Encoding: chunked, identity\r\n",
            [400, 501],
        ),
        pushAsA(
            "Transfer-Encoding:\\tchunked (tab) with Content-Length",
            "Transfer-Encoding:\tchunked\r\n",
            [200, 400, 501],
        ),
        pushAsA("Transfer-Encoding: CHUNKED with Content-Length", "Transfer-Encoding: CHUNKED\r\n"),
        pushAsA(
            "Transfer-Encoding twice (chunked, identity)",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
        ),
    ];
    smugglingWrite.push(
        {
            group: "header smuggling (write port)",
            name: "CL+TE: Content-Length covering a smuggled tenant-b push, then Transfer-Encoding: chunked",
            attacker: A,
            allowed: ownMetricsPush,
            expectStatuses: [400, 411, 200],
            send: (w) =>
                sendRaw(
                    w.a.writePort,
                    `POST /api/v1/push HTTP/1.1\r\nHost: gw\r\nContent-Length: ${Buffer.byteLength(SMUGGLED_CHUNKED)}\r\nTransfer-Encoding: chunked\r\n\r\n${SMUGGLED_CHUNKED}`,
                    tls(w.a, w.pkiA.metricsAgent),
                ),
        },
        {
            group: "header smuggling (write port)",
            name: "chunked push (no Content-Length) with a tenant-b push after the last chunk",
            attacker: A,
            allowed: ownMetricsPush,
            expectStatuses: [411, 400, 403],
            send: (w) =>
                sendRaw(
                    w.a.writePort,
                    `POST /api/v1/push HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n${SMUGGLED_CHUNKED}`,
                    tls(w.a, w.pkiA.metricsAgent),
                    // nginx answers 411 and keeps the connection open: stop waiting early.
                    500,
                ),
        },
        {
            group: "header smuggling (write port)",
            name: "pipelined: a valid metrics push, then a log push as tenant-b on the same connection",
            attacker: A,
            allowed: ownMetricsPush,
            expectStatuses: [200, 403],
            send: (w) =>
                sendRaw(
                    w.a.writePort,
                    `POST /api/v1/push HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED.replace("Content-Length: 5", "Content-Length: 5\r\nConnection: close")}`,
                    tls(w.a, w.pkiA.metricsAgent),
                ),
        },
    );

    const smugglingRead: Attack[] = [
        queryAsA("X-Scope-OrgID: tenant-b", "X-Scope-OrgID: tenant-b\r\nContent-Length: 8\r\n"),
        queryAsA(
            "X-Scope-OrgID twice (tenant-a, tenant-b)",
            "X-Scope-OrgID: tenant-a\r\nX-Scope-OrgID: tenant-b\r\nContent-Length: 8\r\n",
        ),
        queryAsA("case-mixed x-SCOPE-orgid: tenant-b", "x-SCOPE-orgid: tenant-b\r\nContent-Length: 8\r\n"),
        queryAsA("underscore x_scope_orgid: tenant-b", "x_scope_orgid: tenant-b\r\nContent-Length: 8\r\n"),
        queryAsA(
            "federated X-Scope-OrgID: tenant-a|tenant-b",
            "X-Scope-OrgID: tenant-a|tenant-b\r\nContent-Length: 8\r\n",
        ),
        queryAsA("Connection: X-Scope-OrgID", "Connection: X-Scope-OrgID\r\nContent-Length: 8\r\n"),
        queryAsA(
            "TE+CL: a chunked query with a tenant-b push smuggled after the last chunk",
            `Content-Length: 4\r\nTransfer-Encoding: chunked\r\n`,
            `8\r\nquery=up\r\n${SMUGGLED_CHUNKED}`,
            [200, 400, 404],
        ),
        queryAsA(
            "chunked query with a trailer X-Scope-OrgID: tenant-b",
            "Transfer-Encoding: chunked\r\n",
            "8\r\nquery=up\r\n0\r\nX-Scope-OrgID: tenant-b\r\n\r\n",
        ),
        queryAsA(
            "chunk size overflow",
            "Transfer-Encoding: chunked\r\n",
            "fffffffffffffffff1\r\nquery=up\r\n0\r\n\r\n",
            [400, 413],
        ),
        queryAsA(
            "chunk extension smuggling ('8;x=y')",
            "Transfer-Encoding: chunked\r\n",
            `8;x=y\r\nquery=up\r\n${SMUGGLED_CHUNKED}`,
            [200, 400, 404],
        ),
    ];
    smugglingRead.push({
        group: "header smuggling (read port)",
        name: "pipelined: a valid query, a query without token, then a push with A's token on one connection",
        attacker: A,
        allowed: ownQueries,
        expectStatuses: [200, 401, 404],
        send: (w) =>
            sendRaw(
                w.a.readPort,
                head("GET", QUERY, [["Host", "gw"], tokenHeader(w.tokenA)]) +
                    head("GET", QUERY, [
                        ["Host", "gw"],
                        ["X-Scope-OrgID", B],
                    ]) +
                    post("/loki/api/v1/push", [tokenHeader(w.tokenA), ["X-Scope-OrgID", B]]),
            ),
    });

    return [...crossCluster, ...readPortWrites, ...tokens, ...identities, ...smugglingWrite, ...smugglingRead];
}

/** Attacks while A is suspended: every write path, on either listener. */
export function suspendedAttacks(): Attack[] {
    const group = "writes while suspended";
    return [
        {
            group,
            name: "A's metrics agent pushes metrics",
            attacker: A,
            allowed: nothing,
            expectStatuses: [503],
            send: (w) => sendRaw(w.a.writePort, post("/api/v1/push"), tls(w.a, w.pkiA.metricsAgent)),
        },
        {
            group,
            name: "A's log agent pushes logs",
            attacker: A,
            allowed: nothing,
            expectStatuses: [503],
            send: (w) => sendRaw(w.a.writePort, post("/loki/api/v1/push"), tls(w.a, w.pkiA.logAgent)),
        },
        {
            group,
            name: "A's read token creates a silence",
            attacker: A,
            allowed: nothing,
            expectStatuses: [503],
            send: (w) => sendRaw(w.a.readPort, post("/alertmanager/api/v2/silences", [tokenHeader(w.tokenA)])),
        },
        {
            group,
            name: "A's read token expires a silence",
            attacker: A,
            allowed: nothing,
            expectStatuses: [503],
            send: (w) =>
                sendRaw(w.a.readPort, get("/alertmanager/api/v2/silence/abc", [tokenHeader(w.tokenA)], "DELETE")),
        },
        {
            group,
            name: "A's read token pushes logs on the read port",
            attacker: A,
            allowed: nothing,
            expectStatuses: [404, 405],
            send: (w) => sendRaw(w.a.readPort, post("/loki/api/v1/push", [tokenHeader(w.tokenA)])),
        },
        {
            group,
            name: "A's read token deletes a rule group on the read port",
            attacker: A,
            allowed: nothing,
            expectStatuses: [404, 405],
            send: (w) => sendRaw(w.a.readPort, get("/api/prom/config/v1/rules/ns1", [tokenHeader(w.tokenA)], "DELETE")),
        },
        {
            group,
            name: "A's read token writes the Alertmanager config on the read port",
            attacker: A,
            allowed: nothing,
            expectStatuses: [404, 405],
            send: (w) => sendRaw(w.a.readPort, post("/api/v1/alerts", [tokenHeader(w.tokenA)])),
        },
    ];
}

/** Attacks with A's credentials from before its rotation. */
export function rotatedAttacks(
    oldCredentials: () => { pki: TestClusterPki; token: string; lateCert: CertMaterial },
): Attack[] {
    // Read when an attack runs: the old credentials are only known once the rotation happened.
    const old = {
        get pki() {
            return oldCredentials().pki;
        },
        get token() {
            return oldCredentials().token;
        },
        get lateCert() {
            return oldCredentials().lateCert;
        },
    };
    const group = "old credentials after rotation";
    return [
        {
            group,
            name: "the old metrics-agent certificate pushes metrics",
            attacker: A,
            allowed: nothing,
            expectStatuses: [0, 400],
            send: (w) => sendRaw(w.a.writePort, post("/api/v1/push"), tls(w.a, old.pki.metricsAgent)),
        },
        {
            group,
            name: "the old log-agent certificate pushes logs",
            attacker: A,
            allowed: nothing,
            expectStatuses: [0, 400],
            send: (w) => sendRaw(w.a.writePort, post("/loki/api/v1/push"), tls(w.a, old.pki.logAgent)),
        },
        {
            group,
            name: "a certificate the old CA issued after the rotation, metrics-agent CN",
            attacker: A,
            allowed: nothing,
            expectStatuses: [0, 400],
            send: (w) => sendRaw(w.a.writePort, post("/api/v1/push"), tls(w.a, old.lateCert)),
        },
        {
            group,
            name: "the old read token queries metrics",
            attacker: A,
            allowed: nothing,
            expectStatuses: [401],
            send: (w) => sendRaw(w.a.readPort, get(QUERY, [tokenHeader(old.token)])),
        },
        {
            group,
            name: "the old read token creates a silence",
            attacker: A,
            allowed: nothing,
            expectStatuses: [401],
            send: (w) => sendRaw(w.a.readPort, post("/alertmanager/api/v2/silences", [tokenHeader(old.token)])),
        },
    ];
}
