/**
 * The rendered gateway config in real nginx (Debian package `nginx`) on loopback, with
 * certificates shaped like ClusterPki's and recording upstreams.
 */
import { expect } from "chai";
import * as https from "node:https";
import { join } from "node:path";
import { nginxTest } from "../support/nginx";
import { type CertMaterial, type TestClusterPki, makeClusterPki } from "../support/pki";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture";
import { type GatewayRequest, type Outcome, describeOutcome, send, statusOf } from "./https-client";

const HOUR = 3600_000;

describe("gateway nginx config in real nginx", function () {
    let pki: TestClusterPki;
    let otherCluster: TestClusterPki;
    let expiredClient: CertMaterial;
    let gw: GatewayFixture;

    /** A request to the write listener as the metrics agent (override cert/key to be someone else). */
    const write = (path: string, more: Partial<GatewayRequest> = {}) =>
        send({
            port: gw.writePort,
            path,
            body: "payload",
            ca: pki.ca.certPem,
            cert: pki.metricsAgent.certPem,
            key: pki.metricsAgent.keyPem,
            ...more,
        });
    const read = (path: string, more: Partial<GatewayRequest> = {}) =>
        send({
            port: gw.readPort,
            path,
            method: "GET",
            ...more,
            headers: { "X-MLA-Read-Token": gw.readToken, ...more.headers },
        });

    /** POSTs `chunks` with `Transfer-Encoding: chunked` as the metrics agent. */
    const sendChunked = (port: number, path: string, chunks: Buffer[]): Promise<Outcome> =>
        new Promise((resolve) => {
            const request = https.request(
                {
                    host: "127.0.0.1",
                    port,
                    path,
                    method: "POST",
                    agent: false,
                    timeout: 5_000,
                    headers: { "transfer-encoding": "chunked" },
                    ca: pki.ca.certPem,
                    cert: pki.metricsAgent.certPem,
                    key: pki.metricsAgent.keyPem,
                },
                (res) => {
                    let body = "";
                    res.setEncoding("utf8");
                    res.on("data", (d: string) => (body += d));
                    res.on("end", () =>
                        resolve({ kind: "response", status: res.statusCode ?? 0, headers: res.headers, body }),
                    );
                },
            );
            // nginx may answer 413 and close before the last chunk; the response is what counts.
            request.on("error", (e) => resolve({ kind: "error", message: e.message }));
            for (const chunk of chunks) request.write(chunk);
            request.end();
        });

    before(async function () {
        pki = await makeClusterPki("c1");
        otherCluster = await makeClusterPki("c2");
        expiredClient = await pki.issueClient("expired-agent", {
            notBefore: new Date(Date.now() - 48 * HOUR),
            notAfter: new Date(Date.now() - 24 * HOUR),
        });
        gw = await startGatewayFixture(pki, {
            limits: {
                metricsWrite: { requestsPerSecond: 1000, burst: 1000 },
                logsWrite: { requestsPerSecond: 1000, burst: 1000 },
                query: { requestsPerSecond: 1000, burst: 1000 },
                maxBodySize: "64k",
            },
        });
    });
    after(async () => gw?.stop());
    beforeEach(() => gw.clearUpstreams());

    it("passes nginx -t", () => {
        const check = nginxTest(join(gw.nginx.configPath, ".."), gw.nginx.configPath);
        expect(check.ok, check.output).to.equal(true);
    });

    describe("write listener", () => {
        it("forwards POST /api/v1/push from the metrics agent to the metrics push URL with the tenant header", async () => {
            const res = await write("/api/v1/push");
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            expect(
                gw.upstreams.metricsPushUrl.requests.map((r) => [
                    r.method,
                    r.path,
                    r.headers["x-scope-orgid"],
                    r.bodySize,
                ]),
            ).to.deep.equal([["POST", "/cortex/api/v1/push", "c1", 7]]);
            expect(gw.upstreamHits()).to.equal(1);
        });

        it("forwards POST /loki/api/v1/push from the log agent to the logs push URL with the tenant header", async () => {
            const res = await write("/loki/api/v1/push", { cert: pki.logAgent.certPem, key: pki.logAgent.keyPem });
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            expect(
                gw.upstreams.logsPushUrl.requests.map((r) => [r.method, r.path, r.headers["x-scope-orgid"]]),
            ).to.deep.equal([["POST", "/loki/api/v1/push", "c1"]]);
            expect(gw.upstreamHits()).to.equal(1);
        });

        it("refuses the log agent's certificate on the metrics route, and the metrics agent's on the logs route (403)", async () => {
            const logsOnMetrics = await write("/api/v1/push", { cert: pki.logAgent.certPem, key: pki.logAgent.keyPem });
            const metricsOnLogs = await write("/loki/api/v1/push");
            const other = await pki.issueClient("someone-else");
            const stranger = await write("/api/v1/push", { cert: other.certPem, key: other.keyPem });
            expect([statusOf(logsOnMetrics), statusOf(metricsOnLogs), statusOf(stranger)]).to.deep.equal([
                403, 403, 403,
            ]);
            expect(gw.upstreamHits()).to.equal(0);
        });

        it("refuses an agent certificate issued through an intermediate CA, even one the cluster's CA signed", async () => {
            const chained = await pki.issueThroughIntermediate("mla-metrics-agent.c1");
            const res = await write("/api/v1/push", { cert: chained.certPem, key: chained.keyPem });
            expect(statusOf(res), describeOutcome(res)).to.equal(400);
            expect(gw.upstreamHits()).to.equal(0);
            // The agents' own certificates, issued by the CA itself, still pass.
            expect(statusOf(await write("/api/v1/push")), "direct").to.equal(200);
        });

        it("overwrites a tenant header the client sent", async () => {
            const res = await write("/api/v1/push", { headers: { "X-Scope-OrgID": "c2" } });
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            expect(gw.upstreams.metricsPushUrl.requests[0].headers["x-scope-orgid"]).to.equal("c1");
        });

        it("keeps the upstream connection alive between requests", async () => {
            await write("/api/v1/push");
            await write("/api/v1/push");
            const [first, second] = gw.upstreams.metricsPushUrl.requests;
            expect([first.headers.connection, second.headers.connection]).to.deep.equal([undefined, undefined]);
            expect(second.remotePort).to.equal(first.remotePort);
        });

        const refusals: [string, () => Partial<GatewayRequest>][] = [
            ["a client without a certificate", () => ({ cert: undefined, key: undefined })],
            [
                "a client certificate signed by another cluster's CA",
                () => ({ cert: otherCluster.metricsAgent.certPem, key: otherCluster.metricsAgent.keyPem }),
            ],
            ["an expired client certificate", () => ({ cert: expiredClient.certPem, key: expiredClient.keyPem })],
            ["a TLS 1.2-only client", () => ({ maxVersion: "TLSv1.2" })],
        ];
        for (const [who, options] of refusals) {
            it(`refuses ${who} before anything reaches an upstream`, async () => {
                const res = await write("/api/v1/push", options());
                // nginx refuses bad certificates with 400 after the handshake; TLS 1.2 fails the handshake.
                expect(statusOf(res) === 0 || statusOf(res) === 400, describeOutcome(res)).to.equal(true);
                expect(gw.upstreamHits()).to.equal(0);
            });
        }

        it("fails the TLS handshake for a TLS 1.2-only client", async () => {
            const res = await write("/api/v1/push", { maxVersion: "TLSv1.2" });
            expect(res.kind, describeOutcome(res)).to.equal("error");
        });

        const notFound = [
            ["GET", "/"],
            ["POST", "/api/v1/push/extra"],
            ["POST", "/api/v1/pus"],
            ["POST", "/api/prom/api/v1/query"],
            ["GET", "/loki/api/v1/query_range"],
            ["GET", "/alertmanager/api/v2/alerts"],
            ["GET", "/api/v1/alerts"],
            ["GET", "/healthz"],
        ];
        for (const [method, path] of notFound) {
            it(`answers 404 to ${method} ${path} and forwards nothing`, async () => {
                const res = await write(path, { method });
                expect(statusOf(res), describeOutcome(res)).to.equal(404);
                expect(gw.upstreamHits()).to.equal(0);
            });
        }

        for (const [method, path] of [
            ["GET", "/api/v1/push"],
            ["PUT", "/loki/api/v1/push"],
            ["DELETE", "/api/v1/push"],
        ]) {
            it(`answers 405 with Allow: POST to ${method} ${path} and forwards nothing`, async () => {
                const res = await write(path, { method });
                expect(statusOf(res), describeOutcome(res)).to.equal(405);
                expect(res.kind === "response" && res.headers.allow).to.equal("POST");
                expect(gw.upstreamHits()).to.equal(0);
            });
        }

        it("answers 413 to a body over the size limit and forwards nothing", async () => {
            const res = await write("/api/v1/push", { body: Buffer.alloc(65 * 1024, 1) });
            expect(statusOf(res), describeOutcome(res)).to.equal(413);
            expect(gw.upstreamHits()).to.equal(0);
        });

        it("refuses a chunked push (no Content-Length) with 411 before anything reaches the upstream", async () => {
            const push = gw.upstreams.metricsPushUrl;
            push.incomplete.length = 0;
            // Small enough to pass the size limit: a chunked body is refused for being chunked.
            const small = await sendChunked(gw.writePort, "/api/v1/push", [Buffer.alloc(1024, 1)]);
            expect(statusOf(small), describeOutcome(small)).to.equal(411);
            // 80 KiB in 8 KiB chunks against the 64k limit: with streaming, a size check could only
            // happen mid-stream, after part of the body had gone to the distributor.
            const big = await sendChunked(
                gw.writePort,
                "/api/v1/push",
                Array.from({ length: 10 }, () => Buffer.alloc(8 * 1024, 1)),
            );
            expect(statusOf(big), describeOutcome(big)).to.equal(411);
            await new Promise((r) => setTimeout(r, 200));
            expect(gw.upstreamHits(), "complete requests upstream").to.equal(0);
            expect(push.incomplete, "partial requests upstream").to.deep.equal([]);
        });

        it("accepts a body just under the size limit", async () => {
            const res = await write("/api/v1/push", { body: Buffer.alloc(63 * 1024, 1) });
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            expect(gw.upstreams.metricsPushUrl.requests[0].bodySize).to.equal(63 * 1024);
        });
    });

    describe("read listener", () => {
        // [gateway path, upstream, path the upstream must see]
        const routes: [string, keyof GatewayFixture["upstreams"], string][] = [
            ["/api/prom/api/v1/query?query=up", "metricsQueryUrl", "/prometheus/api/v1/query?query=up"],
            ["/api/prom/api/v1/labels", "metricsQueryUrl", "/prometheus/api/v1/labels"],
            ["/api/prom/api/v1/rules", "metricsRulerUrl", "/prometheus/api/v1/rules"],
            ["/api/prom/api/v1/alerts", "metricsRulerUrl", "/prometheus/api/v1/alerts"],
            ["/api/prom/config/v1/rules/ns1", "metricsRulerUrl", "/api/v1/rules/ns1"],
            ["/alertmanager/api/v2/alerts", "alertmanagerUrl", "/api/prom/alertmanager/api/v2/alerts"],
            ["/api/v1/alerts", "alertmanagerUrl", "/api/v1/alerts"],
            [
                "/loki/api/v1/query_range?query=%7Bjob%3D%22x%22%7D",
                "logsQueryUrl",
                "/loki/api/v1/query_range?query=%7Bjob%3D%22x%22%7D",
            ],
            ["/loki/api/v1/rules", "logsRulerUrl", "/loki/api/v1/rules"],
            ["/prometheus/api/v1/rules", "logsRulerUrl", "/prometheus/api/v1/rules"],
            ["/prometheus/api/v1/alerts", "logsRulerUrl", "/prometheus/api/v1/alerts"],
        ];
        for (const [path, upstream, seen] of routes) {
            it(`forwards ${path} to ${upstream} as ${seen} with the tenant header`, async () => {
                const res = await read(path, { headers: { "X-Scope-OrgID": "c2|c3" } });
                expect(statusOf(res), describeOutcome(res)).to.equal(200);
                expect(gw.upstreams[upstream].requests.map((r) => [r.path, r.headers["x-scope-orgid"]])).to.deep.equal([
                    [seen, "c1"],
                ]);
                expect(gw.upstreamHits()).to.equal(1);
            });
        }

        it("answers /healthz itself", async () => {
            const res = await read("/healthz");
            expect(res.kind === "response" && [res.status, res.body]).to.deep.equal([200, "ok\n"]);
            expect(gw.upstreamHits()).to.equal(0);
        });

        it("answers 404 to paths outside the read API", async () => {
            const res = await read("/metrics");
            expect(statusOf(res), describeOutcome(res)).to.equal(404);
            expect(gw.upstreamHits()).to.equal(0);
        });

        it("does not serve the write routes", async () => {
            const res = await read("/api/v1/push", { method: "POST", body: "x" });
            expect(statusOf(res), describeOutcome(res)).to.equal(404);
            expect(gw.upstreamHits()).to.equal(0);
        });

        const methodRefusals: [string, string][] = [
            ["POST", "/loki/api/v1/push"],
            ["DELETE", "/api/prom/config/v1/rules/ns1"],
            ["POST", "/api/prom/config/v1/rules/ns1"],
            ["POST", "/loki/api/v1/rules/ns1"],
            ["POST", "/api/v1/alerts"],
            ["POST", "/alertmanager/api/v2/alerts"],
            ["PUT", "/api/prom/api/v1/query"],
            ["HEAD", "/loki/api/v1/labels"],
        ];
        for (const [method, path] of methodRefusals) {
            it(`answers 405 or 404 to ${method} ${path} and forwards nothing`, async () => {
                const res = await read(path, { method, body: method === "HEAD" ? undefined : "x" });
                expect([404, 405], describeOutcome(res)).to.include(statusOf(res));
                expect(gw.upstreamHits()).to.equal(0);
            });
        }

        it("forwards a silence from Grafana's alerting UI (POST) and its expiry (DELETE)", async () => {
            const post = await read("/alertmanager/api/v2/silences", {
                method: "POST",
                body: "{}",
                headers: { "content-type": "application/json" },
            });
            const del = await read("/alertmanager/api/v2/silence/abc-123", { method: "DELETE" });
            expect([statusOf(post), statusOf(del)]).to.deep.equal([200, 200]);
            expect(
                gw.upstreams.alertmanagerUrl.requests.map((r) => [r.method, r.path, r.headers["x-scope-orgid"]]),
            ).to.deep.equal([
                ["POST", "/api/prom/alertmanager/api/v2/silences", "c1"],
                ["DELETE", "/api/prom/alertmanager/api/v2/silence/abc-123", "c1"],
            ]);
        });

        for (const [what, headers] of [
            ["no token", {}],
            ["a wrong token", { "X-MLA-Read-Token": "x".repeat(48) }],
        ] as const) {
            it(`answers 401 to a query with ${what} and forwards nothing`, async () => {
                const res = await send({
                    port: gw.readPort,
                    path: "/api/prom/api/v1/query?query=up",
                    method: "GET",
                    headers,
                });
                expect(statusOf(res), describeOutcome(res)).to.equal(401);
                expect(gw.upstreamHits()).to.equal(0);
            });
        }

        it("never forwards the read token to a backend", async () => {
            await read("/loki/api/v1/labels");
            expect(gw.upstreams.logsQueryUrl.requests[0].headers).to.not.have.property("x-mla-read-token");
        });
    });

    describe("suspend switch", () => {
        after(async () => gw.reload({ suspended: false }));

        it("answers 503 with Retry-After on both write routes and forwards nothing", async () => {
            await gw.reload({ suspended: true, retryAfterSeconds: 120 });
            const metrics = await write("/api/v1/push");
            const logs = await write("/loki/api/v1/push", { cert: pki.logAgent.certPem, key: pki.logAgent.keyPem });
            for (const res of [metrics, logs]) {
                expect(statusOf(res), describeOutcome(res)).to.equal(503);
                expect(res.kind === "response" && res.headers["retry-after"]).to.equal("120");
            }
            expect(gw.upstreamHits()).to.equal(0);
        });

        it("still requires a client certificate while suspended", async () => {
            const res = await write("/api/v1/push", {
                cert: otherCluster.metricsAgent.certPem,
                key: otherCluster.metricsAgent.keyPem,
            });
            expect(statusOf(res), describeOutcome(res)).to.equal(400);
        });

        it("forwards again after resuming", async () => {
            await gw.reload({ suspended: false });
            const res = await write("/api/v1/push");
            expect(statusOf(res), describeOutcome(res)).to.equal(200);
            expect(gw.upstreams.metricsPushUrl.requests).to.have.length(1);
        });
    });
});
