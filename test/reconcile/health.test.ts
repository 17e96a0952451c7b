/**
 * GET /v1/clusters/{id}/health against local HTTP servers: one stands in for the gateway's read
 * listener (/healthz open, everything else needs the cluster's read token, then proxied like
 * nginx does), two for the backends' query APIs (Cortex's Prometheus API, Loki's). Real HTTP,
 * real parsing of the backends' JSON answers.
 */
import { expect } from "chai";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { READ_TOKEN_HEADER } from "../../components/gateway/read-routes";
import { LOGS_SELECTOR, METRICS_LAST_SEEN_QUERY } from "../../service/health/health-probes";
import { body, removeDir } from "../server/support";
import { type ClusterJson, type DayTwoServer, getJson, type HealthJson, onboard, startDayTwoServer } from "./support";

const READ_TOKEN = "read-token-SECRET-0123456789abcdef0123";
const DAY = 86400_000;

type Handler = (url: URL, req: IncomingMessage) => [number, unknown];

async function listen(
    handler: (req: IncomingMessage, res: import("node:http").ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A backend answering JSON from `handler`, recording what it was asked. */
async function backend(handler: () => Handler) {
    const seen: URL[] = [];
    const { server, url } = await listen((req, res) => {
        const u = new URL(req.url ?? "/", "http://x");
        seen.push(u);
        const [status, answer] = handler()(u, req);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
    return { server, url, seen };
}

describe("cluster health over the read path", function () {
    this.timeout(20_000);
    let server: DayTwoServer;
    let prom: Awaited<ReturnType<typeof backend>>;
    let loki: Awaited<ReturnType<typeof backend>>;
    let gateway: { server: Server; url: string };
    let metricsAnswer: Handler;
    let logsAnswer: Handler;
    const gatewayTokens: (string | undefined)[] = [];

    before(async () => {
        prom = await backend(() => metricsAnswer);
        loki = await backend(() => logsAnswer);
        // The read listener: /healthz open, the rest behind the read token, proxied to the backends.
        gateway = await listen(async (req, res) => {
            const path = req.url ?? "/";
            if (path === "/healthz") return void res.writeHead(200).end("ok\n");
            const token = req.headers[READ_TOKEN_HEADER.toLowerCase()] as string | undefined;
            gatewayTokens.push(token);
            if (token !== READ_TOKEN) return void res.writeHead(401).end("unauthorized");
            const upstream = path.startsWith("/api/prom/")
                ? `${prom.url}/prometheus/${path.slice("/api/prom/".length)}`
                : path.startsWith("/loki/api/")
                  ? `${loki.url}${path}`
                  : undefined;
            if (!upstream) return void res.writeHead(404).end();
            const answer = await fetch(upstream, { headers: { "x-scope-orgid": "c1" } });
            res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
        });
    });

    beforeEach(async () => {
        gatewayTokens.length = 0;
        server = await startDayTwoServer({
            executor: {
                extraOutputs: () => ({
                    gatewayReadUrl: { value: gateway.url, secret: false },
                    gatewayReadToken: { value: READ_TOKEN, secret: true },
                }),
            },
        });
    });

    afterEach(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    after(async () => {
        for (const s of [prom.server, loki.server, gateway.server]) await new Promise((r) => s.close(r));
    });

    const vector = (seconds: number | undefined) => ({
        status: "success",
        data: {
            resultType: "vector",
            result: seconds === undefined ? [] : [{ metric: {}, value: [seconds + 1, String(seconds)] }],
        },
    });
    const streams = (...ms: number[]) => ({
        status: "success",
        data: {
            resultType: "streams",
            result: ms.map((t, i) => ({
                stream: { job: `ns/app${i}` },
                values: [[`${BigInt(t) * 1_000_000n + 123n}`, `line ${i}`]],
            })),
            stats: {},
        },
    });

    const health = () => getJson<HealthJson>(server, "/v1/clusters/c1/health");

    it("is ok when the gateway answers and metrics and logs are fresh, and exports the last-data figures", async () => {
        const now = server.clock.now();
        server.executor.setCertificates("c1", { ca: now + 3650 * DAY, server: now + 365 * DAY });
        metricsAnswer = () => [200, vector((now - 30_000) / 1000)];
        logsAnswer = () => [200, streams(now - 200_000, now - 120_000)];
        await onboard(server, "c1", body());
        const h = await health();
        expect(h.parts).to.deep.equal({
            gateway: { state: "ok", reason: "answers /healthz on the read listener" },
            metrics: { state: "ok", reason: "newest metric sample 30 s old", at: new Date(now - 30_000).toISOString() },
            logs: { state: "ok", reason: "newest log line 2 min old", at: new Date(now - 120_000).toISOString() },
            certificates: {
                state: "ok",
                reason: "first expiry: server in 365 d",
                at: new Date(now + 365 * DAY).toISOString(),
            },
            drift: { state: "ok", reason: "not checked yet" },
            lastOperation: h.parts.lastOperation,
        });
        expect(h.parts.lastOperation.reason).to.equal("up succeeded");
        expect(h.state).to.equal("ok");
        // What the backends were asked, through the gateway, with the token from the stack outputs.
        expect(gatewayTokens).to.deep.equal([READ_TOKEN, READ_TOKEN]);
        const q = prom.seen.at(-1)!;
        expect([q.pathname, q.searchParams.get("query"), q.searchParams.get("time")]).to.deep.equal([
            "/prometheus/api/v1/query",
            METRICS_LAST_SEEN_QUERY,
            (now / 1000).toFixed(3),
        ]);
        const l = loki.seen.at(-1)!;
        expect([
            l.pathname,
            l.searchParams.get("query"),
            l.searchParams.get("limit"),
            l.searchParams.get("direction"),
        ]).to.deep.equal(["/loki/api/v1/query_range", LOGS_SELECTOR, "1", "backward"]);
        expect(l.searchParams.get("end")).to.equal(`${BigInt(now) * 1_000_000n}`);
        const metrics = await (await server.call("/metrics")).text();
        expect(metrics).to.include(
            `mla_cluster_last_data_timestamp_seconds{cluster="c1",signal="metrics"} ${(now - 30_000) / 1000}`,
        );
        expect(metrics).to.include(
            `mla_cluster_last_data_timestamp_seconds{cluster="c1",signal="logs"} ${(now - 120_000) / 1000}`,
        );
        // The listing carries the last probe's findings without probing again.
        const asked = prom.seen.length;
        const listed = (await getJson<{ clusters: ClusterJson[] }>(server, "/v1/clusters")).clusters[0];
        expect(listed.health.parts.metrics.state).to.equal("ok");
        expect(prom.seen.length).to.equal(asked);
        expect(JSON.stringify(listed)).not.to.include(READ_TOKEN);
    });

    it("probes every cluster on its own, soon after start and then every interval, so /metrics stays current", async () => {
        const now = server.clock.now();
        metricsAnswer = () => [200, vector((server.clock.now() - 10_000) / 1000)];
        logsAnswer = () => [200, streams(server.clock.now() - 20_000)];
        await onboard(server, "c1", body());
        const metricsText = async () => (await server.call("/metrics")).text();
        const exported = async (line: string) => {
            for (let i = 0; i < 400 && !(await metricsText()).includes(line); i++)
                await new Promise((r) => setTimeout(r, 5));
            expect(await metricsText()).to.include(line);
        };
        const asked = prom.seen.length;
        server.clock.advance(30_000);
        await exported(
            `mla_cluster_last_data_timestamp_seconds{cluster="c1",signal="metrics"} ${(now + 30_000 - 10_000) / 1000}`,
        );
        expect(prom.seen.length).to.equal(asked + 1);
        server.clock.advance(300_000);
        await exported(
            `mla_cluster_last_data_timestamp_seconds{cluster="c1",signal="logs"} ${(now + 330_000 - 20_000) / 1000}`,
        );
        expect(prom.seen.length).to.equal(asked + 2);
    });

    it("grades stale metrics, missing logs and a certificate about to expire", async () => {
        const now = server.clock.now();
        server.executor.setCertificates("c1", { ca: now + 3650 * DAY, logAgent: now + 3 * DAY });
        metricsAnswer = () => [200, vector((now - 20 * 60_000) / 1000)];
        logsAnswer = () => [200, streams()];
        // pki validity 8760 h: the renewal inside the up only renews certs in the window, and 3 days is.
        await onboard(server, "c1", body({ pki: { validityHours: 8760, earlyRenewalHours: 24 } }));
        const h = await health();
        expect(h.parts.metrics).to.deep.equal({
            state: "critical",
            reason: "newest metric sample 20 min old",
            at: new Date(now - 20 * 60_000).toISOString(),
        });
        expect(h.parts.logs).to.deep.equal({ state: "critical", reason: "no log line in the last hour" });
        expect(h.parts.certificates).to.deep.equal({
            state: "critical",
            reason: "logAgent expires in 3 d",
            at: new Date(now + 3 * DAY).toISOString(),
        });
        expect(h.state).to.equal("critical");
    });

    it("reports a backend error with its message and a gateway that does not answer", async () => {
        const now = server.clock.now();
        metricsAnswer = () => [
            422,
            { status: "error", errorType: "execution", error: "query processing would load too many samples" },
        ];
        logsAnswer = () => [200, { status: "success", data: { resultType: "matrix", result: [] } }];
        await onboard(server, "c1", body());
        const h = await health();
        expect(h.parts.metrics).to.deep.equal({
            state: "critical",
            reason: "cannot read metrics: metrics query 422: query processing would load too many samples",
        });
        expect(h.parts.logs).to.deep.equal({
            state: "critical",
            reason: "cannot read logs: logs query: unexpected result type matrix",
        });
        expect(h.parts.certificates.state).to.equal("warning");

        const dead = await listen((_req, res) => res.writeHead(200).end());
        const deadUrl = dead.url;
        await new Promise((r) => dead.server.close(r));
        const cluster = server.registry.cluster("c1")!;
        server.registry.putCluster({ ...cluster, outputs: { ...cluster.outputs, gatewayReadUrl: deadUrl } });
        const down = await health();
        expect(down.parts.gateway).to.deep.equal({
            state: "critical",
            reason: "the read listener does not answer: ECONNREFUSED",
        });
        expect(down.parts.metrics).to.deep.equal({
            state: "warning",
            reason: "not queried: the gateway does not answer",
        });
        expect(now).to.equal(server.clock.now());
    });
});
