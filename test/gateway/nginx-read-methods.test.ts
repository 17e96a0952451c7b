/**
 * The read listener's method allowlist in real nginx: every route with every method, paths that
 * differ from a route's only in case or by a final newline, and a 401 that must not name a
 * route's methods. Any other way of checking the method (a map at the server level was measured,
 * bench/RESULTS.md) has to pass these unchanged.
 */
import { expect } from "chai";
import { DEFAULT_LIMITS } from "../../components/gateway/nginx-config";
import { READ_ROUTES } from "../../components/gateway/read-routes";
import { type TestClusterPki, makeClusterPki } from "../support/pki";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture";
import { type Outcome, describeOutcome, send, statusOf } from "./https-client";

const METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"];

describe("gateway read listener methods in real nginx", function () {
    this.timeout(30_000);
    let pki: TestClusterPki;
    let gw: GatewayFixture;

    before(async () => {
        pki = await makeClusterPki("c1");
        // A limit no test reaches, so every admitted request is forwarded rather than 429.
        const query = { requestsPerSecond: 10_000, burst: 10_000 };
        gw = await startGatewayFixture(pki, { limits: { ...DEFAULT_LIMITS, query } });
    });
    after(async () => gw?.stop());
    beforeEach(() => gw.clearUpstreams());

    const call = (method: string, path: string, token: string | null = gw.readToken): Promise<Outcome> =>
        send({
            port: gw.readPort,
            path,
            method,
            body: method === "GET" || method === "HEAD" ? undefined : "{}",
            // Every call also claims another tenant, as a hostile client would.
            headers: { "X-Scope-OrgID": "c2", ...(token === null ? {} : { "X-MLA-Read-Token": token }) },
        });
    const allowOf = (res: Outcome) => (res.kind === "response" ? res.headers.allow : undefined);

    it("forwards each route's own methods to its upstream alone, as c1, and answers every other one 405 with its Allow", async () => {
        let forwarded = 0;
        for (const route of READ_ROUTES) {
            const path = route.path.endsWith("/") ? `${route.path}x` : route.path;
            const upstream = gw.upstreams[route.upstream].requests;
            for (const method of METHODS) {
                const before = upstream.length;
                const res = await call(method, path);
                const what = `${method} ${path}: ${describeOutcome(res)}`;
                if ((route.methods as readonly string[]).includes(method)) {
                    expect(statusOf(res), what).to.equal(200);
                    expect(allowOf(res), what).to.equal(undefined);
                    forwarded += 1;
                    // One request, on this route's upstream, with the tenant's header and no read token.
                    expect(upstream.length, what).to.equal(before + 1);
                    const seen = upstream[before];
                    expect(
                        [seen.method, seen.headers["x-scope-orgid"], seen.headers["x-mla-read-token"] ?? ""],
                        what,
                    ).to.deep.equal([method, "c1", ""]);
                } else {
                    expect(statusOf(res), what).to.equal(405);
                    expect(allowOf(res), what).to.equal(route.methods.join(", "));
                }
                expect(gw.upstreamHits(), what).to.equal(forwarded);
            }
        }
    });

    it("answers 404, not 405, to a route's path in another case or with a final newline", async () => {
        for (const path of [
            "/API/PROM/API/V1/QUERY",
            "/api/prom/api/v1/Rules",
            "/Alertmanager/api/v2/silence/x",
            "/api/prom/api/v1/rules%0A",
            "/api/prom/api/v1/rules/",
        ]) {
            for (const method of ["GET", "DELETE", "PUT"]) {
                const res = await call(method, path);
                expect(statusOf(res), `${method} ${path}: ${describeOutcome(res)}`).to.equal(404);
                expect(allowOf(res), path).to.equal(undefined);
            }
        }
        expect(gw.upstreamHits()).to.equal(0);
    });

    it("names no methods before the token: a wrong method without it is a bare 401", async () => {
        for (const token of [null, "A".repeat(48)]) {
            const res = await call("DELETE", "/api/prom/api/v1/rules", token);
            expect(statusOf(res), describeOutcome(res)).to.equal(401);
            expect(allowOf(res)).to.equal(undefined);
        }
        expect(gw.upstreamHits()).to.equal(0);
    });
});
