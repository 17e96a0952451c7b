import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { datasourceUids, renderDatasources } from "../../components/tenant/grafana-datasources";
import { MAX_CLUSTER_ID_LENGTH } from "../../spec/validation";

describe("Grafana datasources", () => {
    it("renders Prometheus, Loki and Alertmanager (cortex) for the org, all at the gateway read Service (golden)", () => {
        const golden = readFileSync(join(__dirname, "../golden/tenant/datasources-c1.yaml"), "utf8");
        expect(
            renderDatasources({ clusterId: "c1", orgId: 3, gateway: { service: "mla-gateway-read", port: 80 } }),
        ).to.equal(golden);
    });

    it("uses a custom Prometheus prefix and keeps the uids stable", () => {
        const text = renderDatasources({
            clusterId: "x",
            orgId: 1,
            gateway: { service: "gw", port: 9000, prometheusPrefix: "/prometheus" },
        });
        expect(text).to.contain("url: http://gw.cluster-x.svc.cluster.local:9000/prometheus\n");
        expect(datasourceUids("x")).to.deep.equal({
            prometheus: "prometheus-x",
            loki: "loki-x",
            alertmanager: "alertmanager-x",
        });
    });

    it("keeps every uid within what Grafana 12+ provisions (1-40 of [a-zA-Z0-9_-]), and distinct, for every id length", () => {
        // Long ids with a common prefix, and short ids shaped like a long uid's tail: none may share a uid.
        const ids = [
            ...Array.from({ length: MAX_CLUSTER_ID_LENGTH }, (_, i) => "a".repeat(i + 1)),
            ...Array.from({ length: 20 }, (_, i) => `${"tenant-".repeat(7)}${i}`.slice(-MAX_CLUSTER_ID_LENGTH)),
            "x".repeat(MAX_CLUSTER_ID_LENGTH - 1) + "1",
            "x".repeat(MAX_CLUSTER_ID_LENGTH - 1) + "2",
        ];
        const long = datasourceUids(ids[ids.length - 1]).alertmanager;
        ids.push(long.slice("alertmanager-".length), long.slice(4), long);
        const seen = new Map<string, string>();
        for (const id of ids) {
            for (const uid of Object.values(datasourceUids(id))) {
                expect(uid, id).to.match(/^[a-zA-Z0-9_-]{1,40}$/);
                expect(seen.get(uid) ?? id, `${uid} of ${id} and ${seen.get(uid)}`).to.equal(id);
                seen.set(uid, id);
            }
        }
        // Ids that fit keep the uids they always had.
        expect(datasourceUids("a".repeat(27)).alertmanager).to.equal(`alertmanager-${"a".repeat(27)}`);
        expect(datasourceUids("a".repeat(28)).alertmanager).to.match(/^mla-a-a{25}-[0-9a-f]{8}$/);
    });
});
