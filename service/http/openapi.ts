/**
 * Builds the OpenAPI 3.1 document from the route table. TypeBox schemas are JSON Schema already,
 * so they are embedded as they are (minus TypeBox's symbol keys, which JSON drops).
 */
import type { TSchema } from "@sinclair/typebox";
import { requiresToken, type RouteSpec } from "./routes/route-table";

/** `/v1/clusters/:id` → `/v1/clusters/{id}`. */
export function openApiPath(url: string): string {
    return url.replace(/:([A-Za-z_]+)/g, "{$1}");
}

function parameters(schema: TSchema | undefined, where: "path" | "query"): object[] {
    const properties = (schema?.properties ?? {}) as Record<string, TSchema>;
    const required = new Set<string>((schema?.required as string[] | undefined) ?? []);
    return Object.entries(properties).map(([name, s]) => ({
        name,
        in: where,
        required: where === "path" || required.has(name),
        schema: s,
    }));
}

/** The OpenAPI document for `routes`. */
export function openApiDocument(routes: readonly RouteSpec[], version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of routes) {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) {
            const path = openApiPath(route.url);
            paths[path] ??= {};
            paths[path][method.toLowerCase()] = {
                summary: route.summary,
                ...(requiresToken(route) ? { security: [{ bearer: [] }] } : { security: [] }),
                parameters: [...parameters(route.params, "path"), ...parameters(route.querystring, "query")],
                ...(route.body
                    ? { requestBody: { required: true, content: { "application/json": { schema: route.body } } } }
                    : {}),
                responses: Object.fromEntries(
                    Object.entries(route.responses).map(([status, r]) => [
                        status,
                        {
                            description: r.description,
                            ...(r.schema || r.contentType
                                ? {
                                      content: {
                                          [r.contentType ?? "application/json"]: r.schema ? { schema: r.schema } : {},
                                      },
                                  }
                                : {}),
                        },
                    ]),
                ),
            };
        }
    }
    return {
        openapi: "3.1.0",
        info: {
            title: "mla onboarding service",
            version,
            description: "Makes user clusters observable: one Pulumi stack per cluster.",
        },
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
        paths: JSON.parse(JSON.stringify(paths)) as Record<string, unknown>,
    };
}
