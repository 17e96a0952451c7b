import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { datasourceUids, renderDatasources } from "../../components/tenant/grafana-datasources";

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
});
