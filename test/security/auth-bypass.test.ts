/**
 * Adversarial authentication suite over real HTTP. The targets come from the route table, so a
 * new route is attacked as soon as it exists. Each protected route is tried with no token and
 * with wrong credentials, under every spelling from `path-forms.ts`, and with the other methods.
 * The answer must be 401, 404 or 405, never 2xx or 5xx, and nothing may change in the registry
 * or the executor.
 */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TObject, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { buildApp } from "../../service/http/app";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { requiresToken, type RouteSpec } from "../../service/http/routes/route-table";
import { body, removeDir, startServer, TOKEN, type TestServer, waitForOperation } from "../server/support";
import { pathForms } from "./path-forms";
import { rawRequest, type RawResponse } from "./raw-http";

/** The only routes allowed to answer without a token; adding one is a visible, reviewed change. */
const PUBLIC_ROUTES = ["GET /healthz", "GET /openapi.json", "GET /readyz"];

/** The scrape-only token: it opens `GET /metrics` and must open nothing else. */
const METRICS_TOKEN = "scrape-only-token-0123456789";

/** Credentials an attacker might send; none of them is the token. */
const BAD_CREDENTIALS: Array<[string, Record<string, string>]> = [
    ["no token", {}],
    ["wrong token", { authorization: "Bearer wrong-token-wrong-token-0000" }],
    ["token prefix", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ["token plus a character", { authorization: `Bearer ${TOKEN}x` }],
    // Same length, last character changed: the digests compared are equally long either way.
    [
        "same length, one character off",
        { authorization: `Bearer ${TOKEN.slice(0, -1)}${TOKEN.endsWith("x") ? "y" : "x"}` },
    ],
    [
        "token in lowercase",
        { authorization: `Bearer ${TOKEN.toLowerCase() === TOKEN ? TOKEN.toUpperCase() : TOKEN.toLowerCase()}` },
    ],
    ["token in Basic", { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` }],
    ["empty bearer", { authorization: "Bearer " }],
];

const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"];

const key = (r: Pick<RouteSpec, "method" | "url">) => `${String(r.method)} ${r.url}`;

/** The route's URL with each `:param` filled by the first candidate its schema accepts. */
function concretePath(route: RouteSpec, candidates: string[]): string {
    return route.url.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
        const schema = (route.params as TObject | undefined)?.properties[name] as TSchema | undefined;
        const value = candidates.find((c) => schema === undefined || Value.Check(schema, c));
        if (value === undefined) throw new Error(`no test value fits ${key(route)} :${name}`);
        return value;
    });
}

describe("authentication cannot be bypassed (real HTTP, every route of the route table)", function () {
    this.timeout(60_000);
    let server: TestServer;
    let port: number;
    let operationId: string;
    const figures = { hostile: 0, bypasses: 0, serverErrors: 0, unexpected: 0 };
    const failures: string[] = [];

    before(async () => {
        server = await startServer({ metricsToken: METRICS_TOKEN });
        port = Number(new URL(server.url).port);
        // A real cluster and operation, so a bypassed DELETE, suspend or cancel would have a target.
        const res = await server.call("/v1/clusters/c1", { method: "PUT", json: body() });
        operationId = ((await res.json()) as { operationId: string }).operationId;
        await waitForOperation(server, operationId);
    });

    after(async () => {
        await server.app.close();
        removeDir(server.dataDir);
        // The figures the documentation's Status paragraph quotes.
        console.log(
            `      hostile requests: ${figures.hostile}, bypasses: ${figures.bypasses}, 5xx: ${figures.serverErrors}, other statuses: ${figures.unexpected}`,
        );
    });

    /** State a bypassed request could change. */
    const snapshot = () =>
        JSON.stringify({
            clusters: server.registry.clusters(),
            operations: server.registry.operationsOf("c1"),
            others: ["c2", "x"].map((id) => server.registry.operationsOf(id)),
            calls: server.executor.calls.length,
        });

    function judge(what: string, res: RawResponse): void {
        figures.hostile++;
        if (res.status < 400) {
            figures.bypasses++;
            failures.push(`${what} -> ${res.status} (bypass)`);
        } else if (res.status >= 500) {
            figures.serverErrors++;
            failures.push(`${what} -> ${res.status}`);
        } else if (![401, 404, 405].includes(res.status)) {
            figures.unexpected++;
            failures.push(`${what} -> ${res.status}`);
        }
    }

    it("declares public only the health, readiness and API-document routes, and only /metrics takes the metrics token", () => {
        const publicRoutes = server.routes.routes
            .filter((r) => !requiresToken(r))
            .map(key)
            .sort();
        expect(publicRoutes).to.deep.equal(PUBLIC_ROUTES);
        expect(server.routes.routes.filter((r) => r.auth === "metrics").map(key)).to.deep.equal(["GET /metrics"]);
        expect(server.routes.routes.filter(requiresToken).length).to.be.greaterThan(8);
    });

    it("refuses a route registered outside the route table, so the suite cannot miss one", async () => {
        const dataDir = mkdtempSync(join(tmpdir(), "mla-sec-"));
        const other = await buildApp({
            dataDir,
            executor: new MemoryExecutor(),
            token: TOKEN,
            workers: 1,
            queueLimit: 1,
            log: { level: "silent" },
        });
        try {
            expect(() => other.app.get("/v1/sneaky", async () => ({ ok: true }))).to.throw(
                "route GET /v1/sneaky was registered outside the route table",
            );
        } finally {
            await other.app.close();
            removeDir(dataDir);
        }
    });

    it("answers 401, 404 or 405 to every protected route, under every path form and wrong credential (the metrics token included), and changes nothing", async () => {
        const before = snapshot();
        const host = `127.0.0.1:${port}`;
        for (const route of server.routes.routes.filter(requiresToken)) {
            const path = concretePath(route, ["c1", operationId]);
            const payload = route.body ? JSON.stringify(body()) : undefined;
            const contentType: Record<string, string> = payload ? { "content-type": "application/json" } : {};
            const attempts: Array<{ what: string; method: string; target: string; headers: Record<string, string> }> =
                [];
            const credentials: typeof BAD_CREDENTIALS =
                route.auth === "metrics"
                    ? BAD_CREDENTIALS
                    : [...BAD_CREDENTIALS, ["the metrics token", { authorization: `Bearer ${METRICS_TOKEN}` }]];
            for (const { form, target } of pathForms(path, host)) {
                for (const [credential, headers] of credentials) {
                    attempts.push({
                        what: `${key(route)} as ${form} (${target}) with ${credential}`,
                        method: String(route.method),
                        target,
                        headers,
                    });
                }
            }
            // The same path with every other method, which must not find a public handler either.
            for (const method of METHODS.filter((m) => m !== route.method)) {
                for (const [credential, headers] of BAD_CREDENTIALS.slice(0, 2))
                    attempts.push({ what: `${method} ${path} with ${credential}`, method, target: path, headers });
            }
            // A few at a time: faster, and concurrent hostile requests must not race past the check either.
            for (let i = 0; i < attempts.length; i += 8) {
                await Promise.all(
                    attempts.slice(i, i + 8).map(async (a) => {
                        const res = await rawRequest(port, {
                            method: a.method,
                            target: a.target,
                            headers: { ...a.headers, ...contentType },
                            body: payload,
                        });
                        judge(a.what, res);
                        if (res.status === 401 && res.headers["www-authenticate"] !== 'Bearer realm="mla"')
                            failures.push(`${a.what}: 401 without WWW-Authenticate`);
                    }),
                );
            }
        }
        expect(failures, failures.slice(0, 20).join("\n")).to.deep.equal([]);
        expect(figures.bypasses).to.equal(0);
        expect(figures.serverErrors).to.equal(0);
        expect(snapshot()).to.equal(before);
    });

    it("answers 401 to paths no route matches, and to public paths spelled to reach a protected one", async () => {
        const before = snapshot();
        const targets = [
            "/",
            "/v1",
            "/v1/",
            "/v2/clusters",
            "*",
            "/v1/clusters/c1/../../clusters",
            "/readyz/../v1/clusters",
            "/healthz%2F..%2Fv1%2Fclusters",
            "/%2E/v1/clusters",
            "http://127.0.0.1/v1/clusters/c1/suspend",
        ];
        for (const target of targets) {
            for (const method of ["GET", "POST", "DELETE"]) {
                const res = await rawRequest(port, { method, target, headers: {} });
                judge(`${method} ${target} with no token`, res);
                expect(res.status, `${method} ${target}`).to.be.oneOf([401, 404, 405]);
            }
        }
        expect(snapshot()).to.equal(before);
    });

    it("still serves the same targets to the right token, so the suite exercises real routes", async () => {
        // The plain and the percent-encoded form of a protected route reach the handler with the token:
        // the router decodes, and authentication follows the route it matched.
        for (const target of [
            "/v1/clusters",
            "/%761/clusters",
            "/%76%31/clusters",
            `http://127.0.0.1:${port}/v1/clusters`,
        ]) {
            const res = await rawRequest(port, {
                method: "GET",
                target,
                headers: { authorization: `Bearer ${TOKEN}` },
            });
            expect(res.status, target).to.equal(200);
            expect(res.body).to.include('"id":"c1"');
        }
        for (const token of [TOKEN, METRICS_TOKEN]) {
            const res = await rawRequest(port, {
                method: "GET",
                target: "/metrics",
                headers: { authorization: `Bearer ${token}` },
            });
            expect(res.status, token === TOKEN ? "the API token" : "the metrics token").to.equal(200);
            expect(res.body).to.include("mla_queue_depth");
        }
        for (const route of server.routes.routes.filter((r) => !requiresToken(r))) {
            expect(
                (await rawRequest(port, { method: String(route.method), target: route.url })).status,
                key(route),
            ).to.be.oneOf([200, 503]);
        }
    });
});
