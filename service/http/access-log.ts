/**
 * The service's access log: one line per request, written when the answer has gone out, with the
 * method, path, client address, status and time taken (`request completed`). Fastify's default
 * writes a second line when the request arrives; that one is kept at `debug`, for following a
 * request that never finishes (an event stream, a hung client).
 *
 * At `info`, as deployed, each request costs one line instead of two: in `bench:service` the
 * service logged about 270 KiB per 1,000 onboardings instead of 386, and its p99 accept latency
 * at the median fell from 53.0 to 43.1 ms, and from 60.7 to 51.1 ms in a run 40 minutes later
 * (bench/RESULTS.md). The redaction of `app.ts` applies to both lines unchanged.
 */
import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

export class AccessLog extends LogController {
    override incomingRequest(request: FastifyRequest): void {
        if (this.isLogDisabled(request)) return;
        request.log.debug({ req: request }, "incoming request");
    }

    override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
        if (this.isLogDisabled(request)) return;
        const line = { req: request, res: reply, responseTime: reply.elapsedTime };
        if (error) reply.log.error({ ...line, err: error }, "request errored");
        else reply.log.info(line, "request completed");
    }
}
