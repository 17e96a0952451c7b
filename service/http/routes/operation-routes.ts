/** The `/v1/operations` routes, including the Server-Sent Events progress stream. */
import { operationForHttp } from "../errors";
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorBody, OperationBody, OperationParams } from "../api-schemas";
import type { ClusterService } from "../../operations/cluster-service";
import type { OperationEvents } from "../../operations/operation-events";
import { FINAL_STATES, type OperationEvent } from "../../../executors/operation-types";
import type { RouteTable } from "./route-table";

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** Proxies close idle connections; a comment line every so often keeps the stream open. */
const HEARTBEAT_MS = 15_000;

const errors = {
    400: { description: "Invalid operation id", schema: ErrorBody },
    401: { description: "Missing or wrong bearer token", schema: ErrorBody },
    404: { description: "No such operation", schema: ErrorBody },
};

function frame(event: OperationEvent): string {
    return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** What the operation routes use; open SSE responses are tracked in `streams` for shutdown. */
export interface OperationRouteDeps {
    service: ClusterService;
    events: OperationEvents;
    streams: Set<ServerResponse>;
}

/** Registers the operation routes. */
export function operationRoutes(
    app: FastifyInstance,
    table: RouteTable,
    { service, events, streams }: OperationRouteDeps,
): void {
    table.add(app, {
        method: "GET",
        url: "/v1/operations/:id",
        summary: "An operation's state, timings, errors and result",
        params: OperationParams,
        responses: { 200: { description: "The operation", schema: OperationBody }, ...errors },
        handler: async (req: IdRequest) => operationForHttp(service.operation(req.params.id)),
    });
    table.add(app, {
        method: "POST",
        url: "/v1/operations/:id/cancel",
        summary: "Cancel: drop a queued operation or interrupt a running one (SIGINT to the engine)",
        // Cancelling must work when the engine is down: that is when operations hang.
        engine: false,
        params: OperationParams,
        responses: {
            202: { description: "Cancellation requested", schema: OperationBody },
            ...errors,
            409: { description: "Already finished", schema: ErrorBody },
        },
        handler: async (req: IdRequest, reply: FastifyReply) => {
            reply.code(202);
            return operationForHttp(service.cancel(req.params.id));
        },
    });
    table.add(app, {
        method: "GET",
        url: "/v1/operations/:id/events",
        summary:
            "Progress as Server-Sent Events: replays from the start (or after Last-Event-ID), then live until the operation ends",
        params: OperationParams,
        responses: {
            200: {
                description: "An event stream; the last event has type `state` and a final state",
                contentType: "text/event-stream",
            },
            ...errors,
        },
        handler: async (req: IdRequest, reply: FastifyReply) => {
            const op = service.operation(req.params.id);
            const after = Number(req.headers["last-event-id"] ?? 0) || 0;
            reply.hijack();
            const res = reply.raw;
            res.writeHead(200, {
                "content-type": "text/event-stream",
                "cache-control": "no-cache",
                connection: "keep-alive",
                "x-accel-buffering": "no",
            });
            streams.add(res);
            const end = () => {
                clearInterval(heartbeat);
                unsubscribe();
                streams.delete(res);
                if (!res.writableEnded) res.end();
            };
            // Listing and subscribing happen in one synchronous turn, so no event falls between them.
            let last = after;
            const send = (e: OperationEvent) => {
                if (e.seq <= last) return;
                last = e.seq;
                res.write(frame(e));
            };
            events.list(op.id).forEach(send);
            const unsubscribe = events.subscribe(op.id, (e) => (e ? send(e) : end()));
            const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
            res.on("close", end);
            const now = service.operation(op.id);
            if (FINAL_STATES.includes(now.state)) {
                // The stream of a finished operation always ends with its final state, even when the
                // stored events stop short (a crash between the record and its event).
                const stored = events.list(op.id);
                const tail = stored.at(-1);
                if (tail?.data?.state !== now.state && last < (tail?.seq ?? 0) + 1) {
                    send({
                        seq: (tail?.seq ?? 0) + 1,
                        time: now.finishedAt ?? new Date().toISOString(),
                        type: "state",
                        message: `${now.kind} ${now.state}`,
                        data: { state: now.state },
                    });
                }
                end();
            }
        },
    });
}
