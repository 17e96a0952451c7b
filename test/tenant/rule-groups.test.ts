import { expect } from "chai";
import { parse } from "yaml";
import { defaultLogRuleGroups, defaultMetricRuleGroups } from "../../components/seed-defaults/default-rule-groups";
import { ruleGroupProblems } from "../../spec/checks/rule-groups";
import { renderRuleFile } from "../../components/tenant/rule-groups";
import { runBinary, tempDir } from "./binaries";
import { type RuleGroupSpec } from "../../spec/tenant-spec";

const OWNER_METRIC_GROUPS: RuleGroupSpec[] = [
    {
        name: "web",
        interval: "1m",
        rules: [
            { record: "job:http_errors:rate5m", expr: 'sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))' },
            {
                alert: "HighErrorRate",
                expr: "job:http_errors:rate5m > 1",
                for: "10m",
                labels: { severity: "page" },
                annotations: { summary: "{{ $labels.job }} fails" },
            },
        ],
    },
];

const OWNER_LOG_GROUPS: RuleGroupSpec[] = [
    {
        name: "web-logs",
        rules: [
            {
                alert: "PanicsLogged",
                expr: 'sum by (pod) (count_over_time({app="web"} |= "panic" [5m])) > 0',
                for: "1m",
            },
            { record: "web:log_lines:rate1m", expr: 'sum(rate({app="web"}[1m]))' },
        ],
    },
];

describe("rule groups", () => {
    const tmp = tempDir("mla-rules-");
    after(() => tmp.cleanup());

    it("promtool check rules accepts the admin default groups and the owner's groups", async () => {
        expect(ruleGroupProblems(defaultMetricRuleGroups(), "admin", "promql")).to.deep.equal([]);
        expect(ruleGroupProblems(OWNER_METRIC_GROUPS, "metricRuleGroups", "promql")).to.deep.equal([]);
        const defaults = tmp.write("defaults.yml", renderRuleFile(defaultMetricRuleGroups()));
        const owner = tmp.write("owner.yml", renderRuleFile(OWNER_METRIC_GROUPS));
        const result = await runBinary("promtool", ["check", "rules", defaults, owner]);
        expect(result.code, result.output).to.equal(0);
        expect(result.output).to.match(/SUCCESS: 8 rules found/);
        expect(result.output).to.match(/SUCCESS: 2 rules found/);
    });

    it("the default alerts fire on the situations they name (promtool test rules)", async () => {
        tmp.write("defaults-for-test.yml", renderRuleFile(defaultMetricRuleGroups()));
        const test = tmp.write(
            "defaults-test.yml",
            [
                "rule_files: [defaults-for-test.yml]",
                "evaluation_interval: 1m",
                "tests:",
                "  - interval: 1m",
                "    input_series:",
                '      - series: \'prometheus_remote_storage_samples_failed_total{remote_name="gw",url="https://gw/api/v1/push"}\'',
                "        values: '0+60x30'",
                '      - series: \'kube_pod_container_status_waiting_reason{namespace="a",pod="p",container="c",reason="CrashLoopBackOff"}\'',
                "        values: '1x30'",
                '      - series: \'up{job="x",instance="i"}\'',
                "        values: '1x30'",
                "    alert_rule_test:",
                "      - eval_time: 20m",
                "        alertname: MlaAgentRemoteWriteFailing",
                "        exp_alerts:",
                "          - exp_labels: {severity: warning, remote_name: gw, url: 'https://gw/api/v1/push'}",
                "            exp_annotations:",
                "              summary: The metrics agent fails to send samples to the MLA gateway.",
                "              description: 1 samples/s fail to reach https://gw/api/v1/push.",
                "      - eval_time: 20m",
                "        alertname: KubePodCrashLooping",
                "        exp_alerts:",
                "          - exp_labels: {severity: warning, namespace: a, pod: p, container: c, reason: CrashLoopBackOff}",
                "            exp_annotations:",
                "              summary: A container is crash-looping.",
                "              description: a/p (c) is in CrashLoopBackOff.",
                "      - eval_time: 20m",
                "        alertname: MlaNoMetricsReceived",
                "        exp_alerts: []",
                "",
            ].join("\n"),
        );
        const result = await runBinary("promtool", ["test", "rules", test]);
        expect(result.code, result.output).to.equal(0);
    });

    it("renders rule files with a fixed key order, whatever order the input had", () => {
        const shuffled: RuleGroupSpec[] = [
            {
                rules: [{ labels: { b: "2", a: "1" }, for: "5m", expr: "up == 0", alert: "Down" }],
                name: "g",
            } as RuleGroupSpec,
        ];
        expect(renderRuleFile(shuffled)).to.equal(
            'groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels:\n          a: "1"\n          b: "2"\n',
        );
    });

    it("renders owner log groups as a Loki rule file that reads back to the same groups", () => {
        expect(ruleGroupProblems(OWNER_LOG_GROUPS, "logRuleGroups", "logql")).to.deep.equal([]);
        expect(parse(renderRuleFile(OWNER_LOG_GROUPS))).to.deep.equal({ groups: OWNER_LOG_GROUPS });
        expect(defaultLogRuleGroups()).to.deep.equal([]);
    });

    const BROKEN: [string, unknown, "promql" | "logql", string[]][] = [
        ["not a list", { name: "x" }, "promql", ["g must be a list of rule groups"]],
        [
            "duplicate names and an empty group",
            [
                { name: "a", rules: [{ record: "r", expr: "up" }] },
                { name: "a", rules: [] },
            ],
            "promql",
            ['g[1].name "a" is used by another group in g', 'g group "a" needs at least one rule'],
        ],
        [
            "a rule with neither alert nor record, and an empty expr",
            [{ name: "a", rules: [{ expr: " " }] }],
            "promql",
            [
                'g group "a" rule 1 needs exactly one of "alert" or "record"',
                'g group "a" rule 1: expr must not be empty',
            ],
        ],
        [
            "bad durations and a bad record name",
            [
                {
                    name: "a",
                    interval: "1 min",
                    rules: [
                        { alert: "X", expr: "up", for: "10" },
                        { record: "bad-name", expr: "up", for: "1m" },
                    ],
                },
            ],
            "promql",
            [
                'g group "a" interval must be a duration such as "5m" or "168h", got "1 min"',
                'g group "a" rule 1 (X) for must be a duration such as "5m" or "168h", got "10"',
                'g group "a" rule 2: record must be a metric name such as "job:errors:rate5m", got "bad-name"',
                'g group "a" rule 2 (bad-name): "for" is only allowed on alerting rules',
            ],
        ],
        [
            "unknown fields and non-string labels",
            [{ name: "a", limt: 3, rules: [{ alert: "X", expr: "up", label: {}, labels: { "bad-key": 1 } }] }],
            "promql",
            [
                'g group "a" has an unknown field "limt"',
                'g group "a" rule 1 has an unknown field "label"',
                'g group "a" rule 1 (X) labels: "bad-key" is not a valid label name',
                'g group "a" rule 1 (X) labels: the value of "bad-key" must be a string',
            ],
        ],
        [
            "a LogQL log query where the ruler needs a metric query",
            [
                {
                    name: "l",
                    rules: [
                        { alert: "E", expr: '{app="web"} |= "error"' },
                        { alert: "F", expr: "rate(x[5m])" },
                    ],
                },
            ],
            "logql",
            [
                'g group "l" rule 1 (E): expr must be a LogQL metric query with a range, e.g. count_over_time({app="web"} |= "error" [5m]) > 0',
                'g group "l" rule 2 (F): expr "rate(x[5m])" is not valid LogQL (syntax error at column 6)',
            ],
        ],
        [
            "LogQL with syntax errors",
            [
                {
                    name: "s",
                    rules: [
                        { alert: "G", expr: 'sum(rate({app="web"} |= [5m])) > 0' },
                        { alert: "H", expr: 'count_over_time({app="web"}[5m] > 0' },
                    ],
                },
            ],
            "logql",
            [
                'g group "s" rule 1 (G): expr "sum(rate({app=\\"web\\"} |= [5m])) > 0" is not valid LogQL (syntax error at column 25)',
                'g group "s" rule 2 (H): expr "count_over_time({app=\\"web\\"}[5m] > 0" is not valid LogQL (syntax error at column 33)',
            ],
        ],
    ];
    for (const [label, groups, language, expected] of BROKEN) {
        it(`rejects ${label} with one message per problem`, () => {
            expect(ruleGroupProblems(groups, "g", language)).to.deep.equal(expected);
        });
    }
});
