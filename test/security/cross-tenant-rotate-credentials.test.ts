/**
 * Credential rotation through the onboarding service: `POST /v1/clusters/{id}/rotate-credentials`
 * runs an up of the stored spec with the next `pki.credentialsGeneration` (which ClusterPki turns
 * into a new CA, new certificates and a new read token, see test/gateway/pki.test.ts and the
 * rotation phase of cross-tenant.test.ts), and a later PUT keeps the generation.
 */
import { expect } from "chai";
import { rotatedSpec, withStoredCredentials } from "../../service/operations/credential-rotation";
import { resolveClusterSpec } from "../../spec/cluster-defaults";
import { body, removeDir, startServer, type TestServer, waitForOperation } from "../server/support";

const base = resolveClusterSpec({
    clusterId: "c1",
    project: "p",
    seedStack: "seed",
    seedKubeconfig: "k",
    userKubeconfig: "k",
    gateway: { externalHostnames: ["gw.example.com"] },
});
const atGeneration = (n: number) => ({ ...base, pki: { ...base.pki, credentialsGeneration: n } });

describe("credential rotation (spec transforms)", () => {
    it("raises the generation by one and changes nothing else", () => {
        expect(rotatedSpec(atGeneration(2))).to.deep.equal(atGeneration(3));
    });
    const cases: [string, number, number | undefined, number][] = [
        ["keeps the stored generation when the body has the default", 0, 3, 3],
        ["keeps a higher generation from the stack config", 5, 3, 5],
        ["starts at the body's generation for a new cluster", 0, undefined, 0],
    ];
    for (const [what, fromBody, stored, expected] of cases) {
        it(what, () => {
            const spec = withStoredCredentials(
                atGeneration(fromBody),
                stored === undefined ? undefined : atGeneration(stored),
            );
            expect(spec.pki.credentialsGeneration).to.equal(expected);
        });
    }
});

describe("POST /v1/clusters/{id}/rotate-credentials", () => {
    let server: TestServer;
    before(async () => (server = await startServer()));
    after(async () => {
        await server.app.close();
        removeDir(server.dataDir);
    });

    const accepted = async (res: Response) => {
        expect(res.status).to.equal(202);
        return waitForOperation(server, ((await res.json()) as { operationId: string }).operationId);
    };
    const generations = () => server.executor.calls.map((c) => c.spec?.pki.credentialsGeneration);

    it("runs an up with the next generation, twice, and a later PUT keeps it", async () => {
        await accepted(await server.call("/v1/clusters/c1", { method: "PUT", json: body() }));
        const first = await accepted(await server.call("/v1/clusters/c1/rotate-credentials", { method: "POST" }));
        expect(first).to.include({ kind: "up", state: "succeeded" });
        await accepted(await server.call("/v1/clusters/c1/rotate-credentials", { method: "POST" }));
        await accepted(await server.call("/v1/clusters/c1", { method: "PUT", json: body() }));
        expect(server.executor.calls.map((c) => c.method)).to.deep.equal(["up", "up", "up", "up"]);
        expect(generations()).to.deep.equal([0, 1, 2, 2]);
    });

    it("refuses one gateway replica with 400 unless gateway.allowSingleReplica is set", async () => {
        const one = await server.call("/v1/clusters/c9", {
            method: "PUT",
            json: body({ gateway: { externalHostnames: ["mla.c9.example.com"], replicas: 1 } }),
        });
        expect(one.status).to.equal(400);
        expect(JSON.stringify(await one.json())).to.include(
            "gateway.replicas must be at least 2 unless gateway.allowSingleReplica is true, got 1",
        );
        const allowed = body({
            gateway: { externalHostnames: ["mla.c9.example.com"], replicas: 1, allowSingleReplica: true },
        });
        await accepted(await server.call("/v1/clusters/c9", { method: "PUT", json: allowed }));
        expect(server.executor.calls.at(-1)?.spec?.gateway).to.deep.include({ replicas: 1, allowSingleReplica: true });
    });

    it("answers 404 for an unknown cluster and 401 without the bearer token", async () => {
        expect((await server.call("/v1/clusters/nope/rotate-credentials", { method: "POST" })).status).to.equal(404);
        const anonymous = await fetch(`${server.url}/v1/clusters/c1/rotate-credentials`, { method: "POST" });
        expect(anonymous.status).to.equal(401);
    });
});
