import { expect } from "chai";
import Fastify from "fastify";
import { AccessLog } from "../../service/http/access-log";
import { body, removeDir, startServer, TOKEN, type TestServer, USER_SECRET } from "./support";

/** A pino line, with the access log's fields when it is one. */
interface LogLine {
    level: number;
    msg: string;
    reqId?: string;
    req?: { method?: string; url?: string };
    res?: { statusCode?: number };
    responseTime?: number;
}

/** The JSON log lines written so far. */
const lines = (server: TestServer) =>
    server
        .logs()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as LogLine);

/** A hostile client's guess at the token: refused, and never written to the log either. */
const WRONG_TOKEN = "wrong-token-0123456789";

/** pino's numeric levels. */
const DEBUG = 20;
const INFO = 30;
const ERROR = 50;

describe("access log: one line per request", () => {
    for (const level of ["info", "debug"] as const) {
        it(`at ${level}, writes one info line when the answer is sent, with method, path, status and time${level === "debug" ? ", and the arrival at debug" : ""}`, async () => {
            const server = await startServer({ log: { level } });
            try {
                const requests: Array<[string, RequestInit & { json?: unknown }, number]> = [
                    ["/v1/clusters", {}, 200],
                    ["/v1/clusters/c1", { method: "PUT", json: body() }, 202],
                    ["/v1/clusters/c2", { method: "PUT", json: body({ userKubeconfig: `x: ${USER_SECRET}` }) }, 400],
                    ["/v1/clusters", { headers: { authorization: `Bearer ${WRONG_TOKEN}` } }, 401],
                    ["/v1/nowhere", {}, 404],
                ];
                for (const [path, init, status] of requests)
                    expect((await server.call(path, init)).status).to.equal(status);
                await new Promise((r) => setTimeout(r, 20));
                // Each request's lines, in the order the requests were sent.
                const byRequest = new Map<string, ReturnType<typeof lines>>();
                for (const l of lines(server))
                    if (l.reqId !== undefined) byRequest.set(l.reqId, [...(byRequest.get(l.reqId) ?? []), l]);
                expect(byRequest.size).to.equal(requests.length);
                const logged = [...byRequest.values()];
                for (const [i, [path, init, status]] of requests.entries()) {
                    const info = logged[i].filter((l) => l.level === INFO);
                    expect(info, `${path}: info lines`).to.have.length(1);
                    const [line] = info;
                    expect(line.msg).to.equal("request completed");
                    expect(line.req?.method).to.equal(init.method ?? "GET");
                    expect(line.req?.url).to.equal(path);
                    expect(line.res?.statusCode).to.equal(status);
                    expect(line.responseTime).to.be.a("number").and.be.greaterThan(0);
                    const debug = logged[i].filter((l) => l.level === DEBUG && l.msg === "incoming request");
                    expect(debug, `${path}: arrival lines`).to.have.length(level === "debug" ? 1 : 0);
                }
                // No line carries the token, a refused client's token or a kubeconfig.
                expect(server.logs())
                    .not.to.include(TOKEN)
                    .and.not.to.include(WRONG_TOKEN)
                    .and.not.to.include(USER_SECRET);
            } finally {
                await server.app.close();
                removeDir(server.dataDir);
            }
        });
    }

    it("an answer that fails on the way out is logged once, at error, as `request errored` with the error", async () => {
        const written: string[] = [];
        const app = Fastify({
            logger: { level: "info", stream: { write: (line: string) => void written.push(line) } },
            logController: new AccessLog(),
        });
        // What Node does when the socket fails under a response: the response emits `error`.
        app.get("/broken", (_request, reply) => {
            reply.raw.emit("error", new Error("write EPIPE"));
            return reply.code(200).send("late");
        });
        try {
            // Over a real socket: an injected request fails the whole call on a response's `error`.
            await app.listen({ host: "127.0.0.1", port: 0 });
            const { port } = app.server.address() as { port: number };
            await (
                await fetch(`http://127.0.0.1:${port}/broken`, { headers: { authorization: `Bearer ${TOKEN}` } })
            ).text();
            // The request's lines (listening writes one of its own).
            const logged = written
                .map((l) => JSON.parse(l) as LogLine & { err?: { message?: string } })
                .filter((l) => l.reqId !== undefined);
            expect(logged.map((l) => [l.level, l.msg])).to.deep.equal([[ERROR, "request errored"]]);
            const [line] = logged;
            expect(line.err?.message).to.equal("write EPIPE");
            expect(line.req?.method).to.equal("GET");
            expect(line.req?.url).to.equal("/broken");
            expect(line.responseTime).to.be.a("number");
            expect(written.join("")).not.to.include(TOKEN);
        } finally {
            await app.close();
        }
    });
});
