/**
 * Prototype poisoning through request bodies, over real HTTP. Every route of the route table that
 * takes a body gets JSON whose keys would reach `Object.prototype` if any code merged the parsed
 * body into another object: `__proto__` and `constructor.prototype`, at the top, nested and in
 * lists, spelled plainly and with JSON escapes (which `JSON.parse` turns back into the same key).
 * The JSON parser must refuse each with 400, before validation (whose strict schemas would refuse
 * most of them too) and before anything is created; and YAML fields carrying the same keys must
 * leave the prototype clean too.
 */
import { expect } from "chai";
import { body, kubeconfig, removeDir, startServer, type TestServer } from "../server/support";

const POISON = '{"polluted":"yes"}';
const PROTO_KEYS = ['"__proto__"', '"\\u005f_proto__"', '"__\\u0070roto__"', '"\\u005F\\u005Fproto\\u005F\\u005F"'];
const CONSTRUCTOR_KEYS = ['"constructor"', '"\\u0063onstructor"'];

/** JSON texts of `base` with a poisoned key spliced in at the top, in a nested object and in a list. */
function poisoned(base: Record<string, unknown>): string[] {
    const text = JSON.stringify(base);
    const entries = [
        ...PROTO_KEYS.map((k) => `${k}:${POISON}`),
        ...CONSTRUCTOR_KEYS.map((k) => `${k}:{"prototype":${POISON}}`),
    ];
    return entries.flatMap((entry) => [
        `{${entry},${text.slice(1)}`,
        `${text.slice(0, -1)},"gateway":{${entry}}}`,
        `${text.slice(0, -1)},"gateway":{"externalHostnames":[{${entry}}]}}`,
        `{"tenant":{"limits":{${entry}}},${text.slice(1)}`,
    ]);
}

const prototypeClean = () =>
    !Object.prototype.hasOwnProperty.call(Object.prototype, "polluted") &&
    ({} as Record<string, unknown>).polluted === undefined;

describe("prototype poisoning through request bodies (real HTTP, every route with a body)", function () {
    this.timeout(60_000);
    let server: TestServer;
    before(async () => (server = await startServer()));
    after(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    it("refuses every poisoned JSON body with 400 and creates nothing", async () => {
        const withBody = server.routes.routes.filter((r) => r.body !== undefined);
        expect(withBody.length).to.be.greaterThan(1);
        let hostile = 0;
        for (const route of withBody) {
            const url = route.url.replace(/:[A-Za-z_]+/g, "c1");
            for (const text of poisoned(body())) {
                const res = await server.call(url, {
                    method: String(route.method),
                    headers: { "content-type": "application/json" },
                    body: text,
                });
                hostile++;
                const what = `${String(route.method)} ${url} ${text.slice(0, 60)}`;
                expect(res.status, what).to.equal(400);
                // Refused by the parser (whose messages never quote the body), not only by the schema.
                expect(((await res.json()) as { error: string }).error, what).to.equal(
                    "request body is not valid JSON",
                );
                expect(prototypeClean()).to.equal(true);
            }
        }
        expect(server.registry.clusters()).to.deep.equal([]);
        expect(server.executor.calls).to.deep.equal([]);
        console.log(`      prototype poisoning: ${hostile} hostile bodies, all refused, prototype clean`);
    });

    it("leaves the prototype clean when YAML fields carry the same keys", async () => {
        const yamlPoison = ["__proto__:\n  polluted: yes\n", "constructor:\n  prototype:\n    polluted: yes\n"];
        for (const extra of yamlPoison) {
            const json = body({
                userKubeconfig: `${kubeconfig("t0ken-for-the-poisoning-test")}${extra}`,
                tenant: { alertmanagerConfig: `route:\n  receiver: x\nreceivers:\n  - name: x\n${extra}` },
            });
            const res = await server.call("/v1/clusters/yaml-poison", { method: "PUT", json });
            expect([202, 400]).to.include(res.status);
            expect(prototypeClean()).to.equal(true);
        }
    });
});
