/**
 * Rate limits of the rendered gateway in real nginx: a burst over the limit gets 429 and the
 * rejected requests never reach an upstream.
 */
import { expect } from "chai";
import { type TestClusterPki, makeClusterPki } from "../support/pki";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture";
import { type Outcome, describeOutcome, send, statusOf } from "./https-client";

/** Sends `count` requests one after another (well inside one second). */
async function burst(count: number, one: () => Promise<Outcome>): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
        const res = await one();
        if (statusOf(res) === 0) throw new Error(describeOutcome(res));
        statuses.push(statusOf(res));
    }
    return statuses;
}

describe("gateway rate limits in real nginx", function () {
    let pki: TestClusterPki;
    let gw: GatewayFixture;

    before(async function () {
        pki = await makeClusterPki("limited");
        // One request per second with a burst of 2: three pass at once, the rest of a quick burst fail.
        gw = await startGatewayFixture(pki, {
            limits: {
                metricsWrite: { requestsPerSecond: 1, burst: 2 },
                logsWrite: { requestsPerSecond: 1, burst: 0 },
                query: { requestsPerSecond: 1, burst: 1 },
                maxBodySize: "1k",
            },
        });
    });
    after(async () => gw?.stop());
    beforeEach(() => gw.clearUpstreams());

    const push = (path: string, agent: "metricsAgent" | "logAgent") => () =>
        send({
            port: gw.writePort,
            path,
            body: "x",
            ca: pki.ca.certPem,
            cert: pki[agent].certPem,
            key: pki[agent].keyPem,
        });

    it("answers 429 to metric pushes over rate plus burst, and forwards only the admitted ones", async () => {
        const statuses = await burst(6, push("/api/v1/push", "metricsAgent"));
        expect(statuses.slice(0, 3)).to.deep.equal([200, 200, 200]);
        expect(statuses.slice(3)).to.include(429);
        expect(gw.upstreams.metricsPushUrl.requests).to.have.length(statuses.filter((s) => s === 200).length);
    });

    it("limits log pushes in their own zone", async () => {
        const statuses = await burst(3, push("/loki/api/v1/push", "logAgent"));
        expect(statuses[0]).to.equal(200);
        expect(statuses.slice(1)).to.include(429);
        expect(gw.upstreams.logsPushUrl.requests).to.have.length(statuses.filter((s) => s === 200).length);
    });

    it("answers 429 to queries over the query limit", async () => {
        const statuses = await burst(5, () =>
            send({
                port: gw.readPort,
                path: "/api/prom/api/v1/query?query=up",
                method: "GET",
                headers: { "X-MLA-Read-Token": gw.readToken },
            }),
        );
        expect(statuses.slice(0, 2)).to.deep.equal([200, 200]);
        expect(statuses.slice(2)).to.include(429);
        expect(gw.upstreams.metricsQueryUrl.requests).to.have.length(statuses.filter((s) => s === 200).length);
    });

    it("never rate-limits the health endpoint", async () => {
        const statuses = await burst(6, () => send({ port: gw.readPort, path: "/healthz", method: "GET" }));
        expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200]);
    });

    it("answers 413 to a body over the configured limit (1k), even with the rate exhausted", async () => {
        const res = await send({
            port: gw.writePort,
            path: "/api/v1/push",
            body: Buffer.alloc(2048),
            ca: pki.ca.certPem,
            cert: pki.metricsAgent.certPem,
            key: pki.metricsAgent.keyPem,
        });
        expect(statusOf(res), describeOutcome(res)).to.equal(413);
        expect(gw.upstreamHits()).to.equal(0);
    });
});
