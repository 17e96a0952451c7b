/**
 * The read listener's admission in real nginx: the read token is checked once in the server,
 * before any location is chosen, with only the probe path (`/healthz`, as nginx normalizes it)
 * exempt. Every refusal forwards nothing.
 */
import { expect } from "chai";
import { READ_ROUTES } from "../../components/gateway/read-routes";
import { type TestClusterPki, makeClusterPki } from "../support/pki";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture";
import { describeOutcome, send, statusOf } from "./https-client";

describe("gateway read listener admission in real nginx", function () {
    this.timeout(20_000);
    let pki: TestClusterPki;
    let gw: GatewayFixture;

    before(async () => {
        pki = await makeClusterPki("c1");
        gw = await startGatewayFixture(pki);
    });
    after(async () => gw?.stop());
    beforeEach(() => gw.clearUpstreams());

    const get = (path: string, headers: Record<string, string> = {}) =>
        send({ port: gw.readPort, path, method: "GET", headers });

    it("answers 401 without the token on every read route and forwards nothing", async () => {
        for (const route of READ_ROUTES) {
            const path = route.path.endsWith("/") ? `${route.path}x` : route.path;
            const res = await get(path);
            expect(statusOf(res), `${path}: ${describeOutcome(res)}`).to.equal(401);
        }
        expect(gw.upstreamHits()).to.equal(0);
    });

    // `/healthz%0A`: PCRE's `$` also matches before a final newline, so a `$`-anchored probe entry admitted it.
    for (const path of [
        "/",
        "/nope",
        "/HEALTHZ",
        "/healthz/",
        "/healthz2",
        "/x/../healthz-not",
        "/healthz%0A",
        "/healthz%0a",
    ]) {
        it(`answers 401 to ${path} without the token (only the probe path is open)`, async () => {
            const res = await get(path);
            expect(statusOf(res), describeOutcome(res)).to.equal(401);
        });
    }

    for (const path of ["/healthz", "//healthz", "/./healthz", "/x/../healthz", "/%68ealthz"]) {
        it(`answers the probe at ${path} without a token (the path nginx normalizes to /healthz)`, async () => {
            const res = await get(path);
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            expect(res.kind === "response" && res.body).to.equal("ok\n");
        });
    }

    it("answers 401 to a wrong token of the right shape and 404 to an unknown path with the right one", async () => {
        const wrong = await get("/api/prom/api/v1/query", { "X-MLA-Read-Token": "A".repeat(48) });
        expect(statusOf(wrong), describeOutcome(wrong)).to.equal(401);
        const unknown = await get("/nope", { "X-MLA-Read-Token": gw.readToken });
        expect(statusOf(unknown), describeOutcome(unknown)).to.equal(404);
        expect(gw.upstreamHits()).to.equal(0);
    });

    it("checks the token before the method: a wrong method without the token is 401, with it 405", async () => {
        const path = "/api/prom/api/v1/rules";
        const without = await send({ port: gw.readPort, path, method: "DELETE" });
        expect(statusOf(without), describeOutcome(without)).to.equal(401);
        const withToken = await send({
            port: gw.readPort,
            path,
            method: "DELETE",
            headers: { "X-MLA-Read-Token": gw.readToken },
        });
        expect(statusOf(withToken), describeOutcome(withToken)).to.equal(405);
        expect(gw.upstreamHits()).to.equal(0);
    });
});
