import { expect } from "chai";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { body, deferred, removeDir, startServer, TOKEN, type TestServer, waitForOperation } from "./support";

interface SseEvent {
    id: number;
    event: string;
    data: { seq: number; type: string; message: string; data?: Record<string, unknown> };
}

/** Reads an SSE stream to its end and parses the frames. */
async function readStream(
    url: string,
    headers: Record<string, string> = {},
): Promise<{ status: number; type: string | null; events: SseEvent[] }> {
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
    const text = await res.text();
    const events = text
        .split("\n\n")
        .filter((f) => f.startsWith("id:"))
        .map((frame) => {
            const field = (name: string) =>
                frame
                    .split("\n")
                    .find((l) => l.startsWith(`${name}: `))!
                    .slice(name.length + 2);
            return { id: Number(field("id")), event: field("event"), data: JSON.parse(field("data")) };
        });
    return { status: res.status, type: res.headers.get("content-type"), events };
}

describe("operation progress as Server-Sent Events", () => {
    let server: TestServer;

    afterEach(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    it("streams live events in order until the operation ends, and replays the same stream afterwards", async () => {
        const gate = deferred();
        server = await startServer({ executor: new MemoryExecutor({ delayMs: 0, gate: () => gate.promise }) });
        const { operationId } = (await (
            await server.call("/v1/clusters/sse1", { method: "PUT", json: body() })
        ).json()) as { operationId: string };
        const live = readStream(`${server.url}/v1/operations/${operationId}/events`);
        await new Promise((r) => setTimeout(r, 50));
        gate.resolve();
        const first = await live;
        expect(first.status).to.equal(200);
        expect(first.type).to.equal("text/event-stream");
        expect(first.events.map((e) => e.id)).to.deep.equal(first.events.map((_, i) => i + 1));
        expect(first.events.map((e) => e.data.message)).to.deep.equal([
            "up of cluster sse1 queued",
            "up started",
            // The project's Grafana org first (its project stack), then the cluster's own stack.
            "project stack seed-eu1.team-a: up (Grafana org team-a, 0 explicit members)",
            "create grafana:oss/organization:Organization project",
            "create kubernetes:core/v1:Namespace seed-namespace",
            "create tls:index/privateKey:PrivateKey ca-key",
            "create kubernetes:apps/v1:Deployment gateway",
            "create kubernetes:apps/v1:Deployment metrics-agent",
            "up succeeded",
        ]);
        expect(first.events.map((e) => e.event)).to.deep.equal([
            "state",
            "state",
            "log",
            "step",
            "step",
            "step",
            "step",
            "step",
            "state",
        ]);
        await waitForOperation(server, operationId);
        const replay = await readStream(`${server.url}/v1/operations/${operationId}/events`);
        expect(replay.events).to.deep.equal(first.events);
    });

    it("resumes after Last-Event-ID", async () => {
        server = await startServer();
        const { operationId } = (await (
            await server.call("/v1/clusters/sse2", { method: "PUT", json: body() })
        ).json()) as { operationId: string };
        await waitForOperation(server, operationId);
        const all = await readStream(`${server.url}/v1/operations/${operationId}/events`);
        const rest = await readStream(`${server.url}/v1/operations/${operationId}/events`, { "last-event-id": "4" });
        expect(rest.events).to.deep.equal(all.events.slice(4));
    });

    it("answers 404 for an unknown operation and 400 for an id that is not a UUID", async () => {
        server = await startServer();
        expect((await server.call("/v1/operations/00000000-0000-0000-0000-000000000000/events")).status).to.equal(404);
        expect((await server.call("/v1/operations/..%2F..%2Fetc/events")).status).to.equal(400);
    });
});
