/**
 * `bench:service`'s floor: what accepting the same PUTs costs any Fastify JSON API on this machine,
 * without the service's own work. It is the service's HTTP front alone, as the gateway benchmark's
 * floor is an nginx that only terminates mTLS: Fastify as the service configures it (body limit,
 * the service's logging: pino at info on stdout, the same redaction, one access line per request),
 * Fastify's default JSON parser (with its prototype-poisoning checks), and a `PUT
 * /v1/clusters/:id` that answers the service's 202 one event-loop turn later, where the service
 * hands its commit to the writer. No token check, no schema, no kubeconfig or spec checks, no
 * registry, no fsync, no operations. Set beside the service in one run, the two rows show how much
 * of the service's latency is its own work and how much the machine and the framework.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { serviceLogging } from "../../service/http/app";
import { INPUT_LIMITS } from "../../service/input/bounded-input";

/** The floor app, on the service's logging at `level`. */
export function buildFloor(level: string): FastifyInstance {
    const app = Fastify({ bodyLimit: INPUT_LIMITS.bodyLimit, ...serviceLogging({ level }) });
    let accepted = 0;
    app.get("/healthz", async () => ({ status: "ok" }));
    // The benchmark reads the listing to measure idle memory and to wait for readiness: nothing to list.
    app.get("/v1/clusters", async () => ({ clusters: [] }));
    app.put<{ Params: { id: string }; Body: unknown }>("/v1/clusters/:id", async (req, reply) => {
        if (typeof req.body !== "object" || req.body === null) return reply.code(400).send({ error: "body" });
        await new Promise<void>((resolve) => setImmediate(resolve));
        const id = `floor-${++accepted}`;
        reply.code(202).header("location", `/v1/operations/${id}`);
        return { operationId: id, joined: false, state: "queued" };
    });
    return app;
}
