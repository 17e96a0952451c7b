/**
 * The service's JSON body parser: a request body is measured before any check or hash sees it.
 */
import type { FastifyInstance } from "fastify";
import { HttpError } from "./errors";
import { jsonLimitProblems, jsonTextProblem } from "../input/json-limits";

/**
 * Fastify's JSON parser (prototype-poisoning protection kept), after a depth scan of large texts
 * (`json-limits.ts`), then the depth, size and string limits of `bounded-input.ts`, so no check or
 * hash ever walks an unbounded value.
 */
export function boundedJsonParser(app: FastifyInstance): void {
    const parse = app.getDefaultJsonParser("error", "error");
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser("application/json", { parseAs: "string" }, (request, text, done) => {
        const tooDeep = jsonTextProblem(text as string);
        if (tooDeep) return done(new HttpError(400, tooDeep), undefined);
        parse(request, text as string, (err, value) => {
            if (err) return done(err, undefined);
            const problems = jsonLimitProblems(value);
            done(
                problems.length > 0 ? new HttpError(400, problems.join("; ")) : null,
                problems.length > 0 ? undefined : value,
            );
        });
    });
}
