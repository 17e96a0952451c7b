import { expect } from "chai";
import { grafanaOrgProvider, type GrafanaOrgState } from "../../components/tenant/grafana-org";
import { type FakeServer, type RecordedCall, startFakeServer } from "./fake-http";

/** Imitates the Grafana org, datasource and dashboard endpoints the provider uses. */
class FakeGrafana {
    orgs = new Map<number, string>([[1, "Main Org."]]);
    datasources = new Map<number, { uid: string }[]>();
    dashboards = new Map<number, string[]>();
    private nextId = 2;

    handle(call: RecordedCall) {
        if (call.headers.authorization !== `Basic ${Buffer.from("admin:pw").toString("base64")}`) return { status: 401 };
        const orgHeader = Number(call.headers["x-grafana-org-id"] ?? 1);
        const byName = /^\/api\/orgs\/name\/(.+)$/.exec(call.path);
        if (call.method === "GET" && byName) {
            const name = decodeURIComponent(byName[1]);
            const hit = [...this.orgs].find(([, n]) => n === name);
            return hit ? { status: 200, json: { id: hit[0], name } } : { status: 404, json: { message: "Organization not found" } };
        }
        if (call.method === "POST" && call.path === "/api/orgs") {
            const id = this.nextId++;
            this.orgs.set(id, JSON.parse(call.body).name);
            return { status: 200, json: { orgId: id, message: "Organization created" } };
        }
        if (call.method === "GET" && call.path === "/api/datasources") {
            return { status: 200, json: this.datasources.get(orgHeader) ?? [] };
        }
        if (call.method === "POST" && call.path === "/api/dashboards/db") {
            const list = this.dashboards.get(orgHeader) ?? [];
            this.dashboards.set(orgHeader, [...list, JSON.parse(call.body).dashboard.uid]);
            return { status: 200, json: { status: "success" } };
        }
        const dsDel = /^\/api\/datasources\/uid\/(.+)$/.exec(call.path);
        if (call.method === "DELETE" && dsDel) {
            const list = this.datasources.get(orgHeader) ?? [];
            const kept = list.filter((d) => d.uid !== dsDel[1]);
            this.datasources.set(orgHeader, kept);
            return kept.length === list.length ? { status: 404, json: { message: "Data source not found" } } : { status: 200, json: {} };
        }
        const del = /^\/api\/orgs\/(\d+)$/.exec(call.path);
        if (call.method === "DELETE" && del) {
            this.orgs.delete(Number(del[1]));
            return { status: 200, json: { message: "Organization deleted" } };
        }
        return { status: 500, json: { message: `unexpected ${call.method} ${call.path}` } };
    }
}

describe("Grafana org dynamic provider", () => {
    let grafana: FakeGrafana;
    let server: FakeServer;
    let inputs: GrafanaOrgState;

    beforeEach(async () => {
        grafana = new FakeGrafana();
        server = await startFakeServer((c) => grafana.handle(c));
        inputs = {
            grafanaUrl: `${server.url}/`,
            adminCredentials: "admin:pw",
            name: "project-x",
            ownDatasourceUids: ["prometheus-c1", "loki-c1", "alertmanager-c1"],
            dashboards: [JSON.stringify({ uid: "k8s-cluster", title: "Kubernetes" })],
        };
    });
    afterEach(() => server.close());

    it("creates the org when none has the project's name, and imports the dashboards into it", async () => {
        const result = await grafanaOrgProvider.create(inputs);
        expect(result.id).to.equal("2");
        expect(result.outs).to.include({ orgId: 2, createdByUs: true });
        expect(grafana.orgs.get(2)).to.equal("project-x");
        expect(grafana.dashboards.get(2)).to.deep.equal(["k8s-cluster"]);
        expect(server.calls.map((c) => `${c.method} ${c.path}`)).to.deep.equal([
            "GET /api/orgs/name/project-x",
            "POST /api/orgs",
            "POST /api/dashboards/db",
        ]);
        expect(server.calls[2].headers["x-grafana-org-id"]).to.equal("2");
    });

    it("adopts an existing org of the same name without creating another", async () => {
        grafana.orgs.set(5, "project-x");
        const result = await grafanaOrgProvider.create({ ...inputs, dashboards: [] });
        expect(result.outs).to.include({ orgId: 5, createdByUs: false });
        expect(grafana.orgs.size).to.equal(2);
    });

    it("update keeps the org id and re-imports changed dashboards", async () => {
        const created = await grafanaOrgProvider.create(inputs);
        const news = { ...inputs, dashboards: [JSON.stringify({ uid: "k8s-pods", title: "Pods" })] };
        const diff = await grafanaOrgProvider.diff!(created.id, created.outs, news);
        expect(diff).to.deep.include({ changes: true, replaces: [] });
        const updated = await grafanaOrgProvider.update!(created.id, created.outs, news);
        expect(updated.outs).to.include({ orgId: 2, createdByUs: true });
        expect(grafana.dashboards.get(2)).to.deep.equal(["k8s-cluster", "k8s-pods"]);
        const renamed = await grafanaOrgProvider.diff!(created.id, created.outs, { ...inputs, name: "other" });
        expect(renamed.replaces).to.deep.equal(["name"]);
    });

    it("delete removes this cluster's datasources, then the org it created once nothing else is in it", async () => {
        const created = await grafanaOrgProvider.create(inputs);
        grafana.datasources.set(2, [{ uid: "prometheus-c1" }, { uid: "loki-c1" }]);
        await grafanaOrgProvider.delete!(created.id, created.outs);
        expect(grafana.datasources.get(2)).to.deep.equal([]);
        expect(grafana.orgs.has(2)).to.equal(false);
    });

    it("delete keeps the org, and the other cluster's datasources, while another cluster of the project uses it", async () => {
        const created = await grafanaOrgProvider.create(inputs);
        grafana.datasources.set(2, [{ uid: "prometheus-c1" }, { uid: "prometheus-c2" }]);
        await grafanaOrgProvider.delete!(created.id, created.outs);
        expect(grafana.datasources.get(2)).to.deep.equal([{ uid: "prometheus-c2" }]);
        expect(grafana.orgs.get(2)).to.equal("project-x");
    });

    it("delete never removes an org it only adopted, only this cluster's datasources", async () => {
        grafana.orgs.set(5, "project-x");
        grafana.datasources.set(5, [{ uid: "loki-c1" }]);
        const adopted = await grafanaOrgProvider.create(inputs);
        await grafanaOrgProvider.delete!(adopted.id, adopted.outs);
        expect(grafana.orgs.get(5)).to.equal("project-x");
        expect(server.calls.filter((c) => c.method === "DELETE").map((c) => c.path)).to.deep.equal([
            "/api/datasources/uid/prometheus-c1",
            "/api/datasources/uid/loki-c1",
            "/api/datasources/uid/alertmanager-c1",
        ]);
        expect(grafana.datasources.get(5)).to.deep.equal([]);
    });

    it("fails with the status and a hint when Grafana refuses the credentials", async () => {
        const err = await grafanaOrgProvider.create({ ...inputs, adminCredentials: "admin:wrong" }).catch((e: Error) => e);
        expect((err as Error).message).to.equal("Grafana GET /api/orgs/name/project-x answered 401: ");
    });

    it("fails with a network hint when Grafana cannot be reached", async () => {
        await server.close();
        const err = await grafanaOrgProvider.create(inputs).catch((e: Error) => e);
        expect((err as Error).message).to.match(/cannot reach .* the Pulumi process needs network access to Grafana, or give the Tenant an orgId/);
        server = await startFakeServer(() => ({ status: 200 }));
    });
});
