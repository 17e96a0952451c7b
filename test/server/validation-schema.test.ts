import { Type } from "@sinclair/typebox";
import { expect } from "chai";
import Fastify from "fastify";
import { RouteTable } from "../../service/http/routes/route-table";
import { ClusterBody } from "../../service/operations/cluster-body";
import { INPUT_LIMITS } from "../../service/input/bounded-input";
import { bodyValidationSchema } from "../../service/http/validation-schema";
import { body, removeDir, startServer, type TestServer, TOKEN } from "./support";

/** Every `maxLength` in a schema, by its path (data keywords skipped, as the rewrite skips them). */
function maxLengths(schema: unknown, path = "#"): Map<string, number> {
    const found = new Map<string, number>();
    const walk = (v: unknown, at: string) => {
        if (typeof v !== "object" || v === null) return;
        for (const [k, child] of Object.entries(v)) {
            if (k === "maxLength" && typeof child === "number") found.set(at, child);
            else if (!["default", "examples", "const", "enum"].includes(k)) walk(child, `${at}/${k}`);
        }
    };
    walk(schema, path);
    return found;
}

describe("the schema a body is validated with (validation-schema.ts)", () => {
    const limit = INPUT_LIMITS.maxStringLength;

    it("drops exactly the maxLength bounds the body parser made unreachable, and leaves the documented schema whole", () => {
        const documentedBefore = JSON.stringify(ClusterBody);
        const documented = maxLengths(ClusterBody);
        const validated = maxLengths(bodyValidationSchema(ClusterBody));
        const unreachable = [...documented].filter(([, n]) => n >= limit).map(([p]) => p);
        // Both kubeconfigs, at least: the strings every cluster request carries.
        expect(unreachable).to.include.members(["#/properties/userKubeconfig", "#/properties/seedKubeconfig"]);
        for (const [path, n] of documented) {
            expect(validated.get(path), path).to.equal(n >= limit ? undefined : n);
        }
        expect([...validated.keys()].every((p) => documented.has(p))).to.equal(true);
        expect(JSON.stringify(ClusterBody)).to.equal(documentedBefore);
    });

    it("keeps every bound of a body that need not be an object, and the bounds on keys", () => {
        // Such a body may be a string no JSON parser read (text/plain): nothing bounded it.
        const root = Type.String({ maxLength: limit * 2 });
        expect(bodyValidationSchema(root)).to.equal(root);
        const union = Type.Union([Type.String({ maxLength: limit }), Type.Object({ a: Type.String() })]);
        expect(bodyValidationSchema(union)).to.equal(union);
        // The parser bounds values, not keys.
        const keyed = Type.Object(
            {},
            {
                propertyNames: { type: "string", maxLength: limit },
                additionalProperties: Type.String({ maxLength: limit }),
            },
        );
        const rewritten = bodyValidationSchema(keyed);
        expect(rewritten.propertyNames).to.deep.equal({ type: "string", maxLength: limit });
        expect(rewritten.additionalProperties).to.not.have.property("maxLength");
    });

    it("keeps data keywords and TypeBox's markers", () => {
        const withData = Type.Object({
            a: Type.String({ maxLength: limit, default: "x", examples: [{ maxLength: limit }] }),
            b: Type.Object({ c: Type.String() }, { default: { c: "x", maxLength: limit } }),
        });
        const rewritten = bodyValidationSchema(withData);
        expect(rewritten.properties.a).to.not.have.property("maxLength");
        expect(rewritten.properties.a.examples).to.deep.equal([{ maxLength: limit }]);
        expect(rewritten.properties.b.default).to.deep.equal({ c: "x", maxLength: limit });
        for (const key of Object.getOwnPropertySymbols(withData.properties.a)) {
            expect(rewritten.properties.a[key as unknown as string], String(key)).to.equal(
                withData.properties.a[key as unknown as string],
            );
        }
    });

    it("is what the route table hands Fastify, while the table keeps the documented schema", async () => {
        const app = Fastify();
        const given: unknown[] = [];
        app.addHook("onRoute", (route) => void given.push(route.schema?.body));
        const table = new RouteTable();
        table.add(app, {
            method: "PUT",
            url: "/x",
            summary: "x",
            body: ClusterBody,
            responses: {},
            handler: async () => ({}),
        });
        expect(maxLengths(given[0]).has("#/properties/userKubeconfig")).to.equal(false);
        expect(maxLengths(table.routes[0].body).get("#/properties/userKubeconfig")).to.equal(limit);
        await app.close();
    });

    describe("in the service", () => {
        let server: TestServer;
        before(async () => (server = await startServer()));
        after(async () => {
            await server.app.close();
            removeDir(server.dataDir);
        });

        it("still documents the bound, and a kubeconfig over it is still refused naming the field", async () => {
            const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
                paths: Record<string, { put?: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
            };
            const put = doc.paths["/v1/clusters/{id}"].put!.requestBody.content["application/json"].schema;
            expect(maxLengths(put).get("#/properties/userKubeconfig")).to.equal(limit);
            // One past the limit in code units, but only half of it in code points: the parser
            // counts units, so it refuses what Ajv alone would have let through.
            const astral = "\u{1F600}".repeat(limit / 2) + "x";
            const res = await server.call("/v1/clusters/c1", { method: "PUT", json: body({ userKubeconfig: astral }) });
            expect(res.status).to.equal(400);
            expect(((await res.json()) as { error: string }).error).to.equal(
                `body/userKubeconfig is longer than ${limit} characters`,
            );
        });

        it("lets no spelling of a content type carry a kubeconfig past the bound, and creates nothing", async () => {
            const astral = "\u{1F600}".repeat(limit / 2) + "x";
            const text = JSON.stringify(body({ userKubeconfig: astral }));
            const jsonSpellings = [
                "application/json",
                "application/json; charset=utf-8",
                "APPLICATION/JSON",
                "application/json;charset=UTF-8",
                "Application/Json ; charset=utf-8",
            ];
            // Text is no JSON: it reaches validation as one string, which the object schema refuses.
            // Every other type has no parser at all. A parser added for one of them fails this test.
            const others: Record<string, [number, string]> = {
                "text/plain": [400, "body must be object"],
                "text/plain; charset=utf-8": [400, "body must be object"],
                "application/x-www-form-urlencoded": [415, "Unsupported Media Type"],
                "application/merge-patch+json": [415, "Unsupported Media Type"],
                "application/vnd.api+json": [415, "Unsupported Media Type"],
                "application/jsonx": [415, "Unsupported Media Type"],
                "multipart/form-data; boundary=x": [415, "Unsupported Media Type"],
            };
            for (const type of [...jsonSpellings, ...Object.keys(others)]) {
                const res = await fetch(`${server.url}/v1/clusters/c-${jsonSpellings.indexOf(type) + 1}`, {
                    method: "PUT",
                    headers: { authorization: `Bearer ${TOKEN}`, "content-type": type },
                    body: text,
                });
                const answer = (await res.json()) as { error?: string };
                if (jsonSpellings.includes(type)) {
                    expect(res.status, type).to.equal(400);
                    expect(answer.error, type).to.equal(`body/userKubeconfig is longer than ${limit} characters`);
                } else {
                    expect([res.status, answer.error], type).to.deep.equal(others[type]);
                }
            }
            expect(server.registry.clusters()).to.deep.equal([]);
            expect(server.executor.calls).to.deep.equal([]);
        });
    });
});
