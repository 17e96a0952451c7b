import { expect } from "chai";
import {
    DEFAULT_LOKI_SELECTORS,
    tenantPurgeProvider,
    type TenantPurgeState,
} from "../../components/tenant/tenant-purge";
import { type FakeServer, startFakeServer } from "./fake-http";

describe("tenant purge dynamic provider", () => {
    let cortex: FakeServer;
    let loki: FakeServer;
    let inputs: TenantPurgeState;
    let lokiStatus = 204;

    beforeEach(async () => {
        lokiStatus = 204;
        cortex = await startFakeServer((c) =>
            c.path === "/purger/delete_tenant_status"
                ? { status: 200, json: { tenant_id: c.headers["x-scope-orgid"], blocks_deleted: false } }
                : { status: c.path === "/purger/delete_tenant" && c.method === "POST" ? 200 : 404 },
        );
        loki = await startFakeServer((c) => ({ status: c.path === "/loki/api/v1/delete" ? lokiStatus : 404 }));
        inputs = { tenantId: "c1", cortexUrl: cortex.url, lokiUrl: `${loki.url}/` };
    });
    afterEach(async () => {
        await cortex.close();
        await loki.close();
    });

    it("create and update call no backend: nothing is deleted while the cluster exists", async () => {
        const created = await tenantPurgeProvider.create(inputs);
        expect(created).to.deep.equal({ id: "purge-c1", outs: inputs });
        const news = { ...inputs, lokiSelectors: ['{job=~".+"}'] };
        expect(await tenantPurgeProvider.diff!(created.id, created.outs, news)).to.deep.equal({
            changes: true,
            replaces: [],
        });
        expect(await tenantPurgeProvider.update!(created.id, created.outs, news)).to.deep.equal({ outs: news });
        expect(cortex.calls).to.deep.equal([]);
        expect(loki.calls).to.deep.equal([]);
    });

    it("delete asks Cortex to delete the tenant, reads its status, and asks Loki to delete every stream", async () => {
        const before = Math.floor(Date.now() / 1000);
        await tenantPurgeProvider.delete!("purge-c1", inputs);
        expect(cortex.calls.map((c) => [c.method, c.path, c.headers["x-scope-orgid"]])).to.deep.equal([
            ["POST", "/purger/delete_tenant", "c1"],
            ["GET", "/purger/delete_tenant_status", "c1"],
        ]);
        expect(loki.calls).to.have.length(1);
        const call = loki.calls[0];
        expect([call.method, call.path, call.headers["x-scope-orgid"]]).to.deep.equal([
            "POST",
            "/loki/api/v1/delete",
            "c1",
        ]);
        expect(call.query.query).to.equal(DEFAULT_LOKI_SELECTORS[0]);
        expect(call.query.start).to.equal("0");
        expect(Number(call.query.end)).to.be.within(before, before + 5);
    });

    it("sends one Loki delete request per configured selector", async () => {
        await tenantPurgeProvider.delete!("purge-c1", {
            ...inputs,
            lokiSelectors: ['{namespace=~".+"}', '{job=~".+"}'],
        });
        expect(loki.calls.map((c) => c.query.query)).to.deep.equal(['{namespace=~".+"}', '{job=~".+"}']);
    });

    it("fails the destroy with the backend's answer when Loki refuses (e.g. deletion disabled)", async () => {
        lokiStatus = 400;
        const err = await tenantPurgeProvider.delete!("purge-c1", inputs).catch((e: Error) => e);
        expect((err as Error).message).to.equal("purge of tenant c1: POST /loki/api/v1/delete answered 400: ");
    });

    it("fails the destroy with a reachability message when Cortex cannot be reached", async () => {
        const err = await tenantPurgeProvider.delete!("purge-c1", { ...inputs, cortexUrl: "http://127.0.0.1:1" }).catch(
            (e: Error) => e,
        );
        expect((err as Error).message).to.match(
            /^purge of tenant c1: cannot reach http:\/\/127.0.0.1:1 for POST \/purger\/delete_tenant/,
        );
        expect(loki.calls).to.deep.equal([]);
    });
});
