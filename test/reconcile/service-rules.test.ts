/**
 * The alerts on `mla serve`'s /metrics, run by the real promtool with series that fire and
 * series that do not; and the health probe's metrics query evaluated by promtool's PromQL engine.
 */
import { expect } from "chai";
import { serviceRuleGroup } from "../../components/seed-defaults/default-rule-groups";
import { renderRuleFile } from "../../components/tenant/rule-groups";
import { METRICS_LAST_SEEN_QUERY } from "../../service/health/health-probes";
import { runBinary, tempDir } from "../tenant/binaries";

const DAY = 86400;

describe("alerts on the service's metrics (promtool)", function () {
    this.timeout(30_000);
    const tmp = tempDir("mla-serve-rules-");
    after(() => tmp.cleanup());

    async function promtoolTest(name: string, lines: string[]): Promise<void> {
        tmp.write("mla-serve-rules.yml", renderRuleFile([serviceRuleGroup()]));
        const test = tmp.write(
            name,
            ["rule_files: [mla-serve-rules.yml]", "evaluation_interval: 1m", "tests:", ...lines, ""].join("\n"),
        );
        const result = await runBinary("promtool", ["test", "rules", test]);
        expect(result.code, result.output).to.equal(0);
    }

    it("passes promtool check rules", async () => {
        const result = await runBinary("promtool", [
            "check",
            "rules",
            tmp.write("check.yml", renderRuleFile([serviceRuleGroup()])),
        ]);
        expect(result.code, result.output).to.equal(0);
        expect(result.output).to.include("4 rules found");
    });

    it("fires on a certificate expiring within 7 days, not on one expiring later", async () => {
        await promtoolTest("cert-test.yml", [
            "  - interval: 1h",
            "    input_series:",
            // soon: its server certificate expires at day 8; later: day 30 (CA day 3650 for both)
            `      - series: 'mla_cluster_certificate_expiry_timestamp_seconds{cluster="soon",certificate="server"}'`,
            `        values: '${8 * DAY}x48'`,
            `      - series: 'mla_cluster_certificate_expiry_timestamp_seconds{cluster="soon",certificate="ca"}'`,
            `        values: '${3650 * DAY}x48'`,
            `      - series: 'mla_cluster_certificate_expiry_timestamp_seconds{cluster="later",certificate="server"}'`,
            `        values: '${30 * DAY}x48'`,
            "    alert_rule_test:",
            "      - eval_time: 12h",
            "        alertname: MlaClusterCertificateExpiresSoon",
            "        exp_alerts: []",
            "      - eval_time: 36h",
            "        alertname: MlaClusterCertificateExpiresSoon",
            "        exp_alerts:",
            "          - exp_labels: {severity: critical, cluster: soon}",
            "            exp_annotations:",
            "              summary: A certificate of cluster soon expires within 7 days.",
            "              description: The first certificate expires in 6d 12h 0m 0s. The reconciler renews certificates in their renewal window; check its renewal up in GET /v1/clusters/soon/health.",
        ]);
    });

    it("fires a quarter into the renewal window (at most 2 days), not earlier nor on a renewed certificate", async () => {
        const due = (cluster: string) =>
            `mla_cluster_certificate_renewal_due_timestamp_seconds{cluster="${cluster}",job="mla-serve"}`;
        const expiry = (cluster: string) =>
            `mla_cluster_certificate_expiry_timestamp_seconds{cluster="${cluster}",certificate="server",job="mla-serve"}`;
        await promtoolTest("renewal-test.yml", [
            "  - interval: 1h",
            "    input_series:",
            // failing: a 30-day window opened at hour 0, never renewed; young: opened at hour 30;
            // renewed: opened at hour 0, renewed at hour 24; short: a 2-day window opened at hour 0.
            `      - series: '${due("failing")}'`,
            "        values: '0x60'",
            `      - series: '${expiry("failing")}'`,
            `        values: '${30 * DAY}x60'`,
            `      - series: '${due("young")}'`,
            `        values: '${30 * 3600}x60'`,
            `      - series: '${expiry("young")}'`,
            `        values: '${30 * 3600 + 30 * DAY}x60'`,
            `      - series: '${due("renewed")}'`,
            `        values: '0x24 ${90 * DAY}x36'`,
            `      - series: '${expiry("renewed")}'`,
            `        values: '${30 * DAY}x24 ${120 * DAY}x36'`,
            `      - series: '${due("short")}'`,
            "        values: '0x60'",
            `      - series: '${expiry("short")}'`,
            `        values: '${2 * DAY}x60'`,
            "    alert_rule_test:",
            "      - eval_time: 11h",
            "        alertname: MlaClusterCertificateRenewalOverdue",
            "        exp_alerts: []",
            "      - eval_time: 13h",
            "        alertname: MlaClusterCertificateRenewalOverdue",
            "        exp_alerts:",
            "          - exp_labels: {severity: warning, cluster: short}",
            "            exp_annotations:",
            "              summary: A certificate of cluster short is overdue for renewal.",
            "              description: Its renewal window opened 13h 0m 0s ago and the reconciler, which tries at every check, has not renewed it; see lastRemediation in GET /v1/clusters/short/health and the operation it names.",
            "      - eval_time: 50h",
            "        alertname: MlaClusterCertificateRenewalOverdue",
            "        exp_alerts:",
            "          - exp_labels: {severity: warning, cluster: failing}",
            "            exp_annotations:",
            "              summary: A certificate of cluster failing is overdue for renewal.",
            "              description: Its renewal window opened 2d 2h 0m 0s ago and the reconciler, which tries at every check, has not renewed it; see lastRemediation in GET /v1/clusters/failing/health and the operation it names.",
            "          - exp_labels: {severity: warning, cluster: short}",
            "            exp_annotations:",
            "              summary: A certificate of cluster short is overdue for renewal.",
            "              description: Its renewal window opened 2d 2h 0m 0s ago and the reconciler, which tries at every check, has not renewed it; see lastRemediation in GET /v1/clusters/short/health and the operation it names.",
        ]);
    });

    it("fires on drift older than a day, not on younger drift nor on a cluster back in sync", async () => {
        await promtoolTest("drift-test.yml", [
            "  - interval: 1h",
            "    input_series:",
            "      - series: 'mla_cluster_drift{cluster=\"old\"}'",
            "        values: '1x30'",
            "      - series: 'mla_cluster_drift_since_timestamp_seconds{cluster=\"old\"}'",
            "        values: '0x30'",
            "      - series: 'mla_cluster_drift{cluster=\"young\"}'",
            "        values: '1x30'",
            `      - series: 'mla_cluster_drift_since_timestamp_seconds{cluster="young"}'`,
            `        values: '${20 * 3600}x30'`,
            // Back in sync: the gauge says 0 (a stale since-series must not fire on its own).
            "      - series: 'mla_cluster_drift{cluster=\"fixed\"}'",
            "        values: '0x30'",
            "      - series: 'mla_cluster_drift_since_timestamp_seconds{cluster=\"fixed\"}'",
            "        values: '0x30'",
            "    alert_rule_test:",
            "      - eval_time: 23h",
            "        alertname: MlaClusterDriftedForADay",
            "        exp_alerts: []",
            "      - eval_time: 26h",
            "        alertname: MlaClusterDriftedForADay",
            "        exp_alerts:",
            "          - exp_labels: {severity: warning, cluster: old}",
            "            exp_annotations:",
            "              summary: Cluster old has differed from its spec for more than a day.",
            "              description: 'Drifted for 1d 2h 0m 0s; see the steps in GET /v1/clusters/old/health, then PUT the cluster or set reconcilePolicy: remediate.'",
        ]);
    });

    it("fires when a signal's newest data is over 15 minutes old, not while it keeps arriving", async () => {
        await promtoolTest("data-test.yml", [
            "  - interval: 1m",
            "    input_series:",
            // c1: metrics keep arriving (the last-seen time follows the clock); its logs stop at minute 10.
            '      - series: \'mla_cluster_last_data_timestamp_seconds{cluster="c1",signal="metrics"}\'',
            "        values: '0+60x60'",
            '      - series: \'mla_cluster_last_data_timestamp_seconds{cluster="c1",signal="logs"}\'',
            "        values: '0+60x10 600x50'",
            "    alert_rule_test:",
            "      - eval_time: 24m",
            "        alertname: MlaClusterNoData",
            "        exp_alerts: []",
            "      - eval_time: 30m",
            "        alertname: MlaClusterNoData",
            "        exp_alerts:",
            "          - exp_labels: {severity: critical, cluster: c1, signal: logs}",
            "            exp_annotations:",
            "              summary: No logs from cluster c1 for 15 minutes.",
            "              description: 'The newest logs data is 20m 0s old: the agent, the gateway or the path to the seed is down.'",
        ]);
    });

    it("the health probe's metrics query finds the newest `up` sample within the hour", async () => {
        // `up` arrives every 30 s until minute 10, then stops; at minute 20 the newest is 600 s,
        // and at minute 80 (70 minutes later) nothing is left in the hour.
        await promtoolTest("query-test.yml", [
            "  - interval: 30s",
            "    input_series:",
            '      - series: \'up{job="agent",instance="a"}\'',
            "        values: '1x20'",
            '      - series: \'up{job="node",instance="b"}\'',
            "        values: '1x10'",
            "    promql_expr_test:",
            `      - expr: '${METRICS_LAST_SEEN_QUERY}'`,
            "        eval_time: 20m",
            "        exp_samples:",
            "          - labels: '{}'",
            "            value: 600",
            `      - expr: '${METRICS_LAST_SEEN_QUERY}'`,
            "        eval_time: 80m",
            "        exp_samples: []",
        ]);
    });
});
