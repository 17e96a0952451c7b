import { expect } from "chai";
import { ruleGroupProblems } from "../../spec/checks/rule-groups";
import { renderRuleFile } from "../../components/tenant/rule-groups";
import { runBinary, tempDir } from "./binaries";

/** [expr, whether promtool (and so the check here) accepts it]. */
const CASES: [string, boolean][] = [
    ["up", true],
    ["up == 0", true],
    ['sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))', true],
    ["sum without (instance) (up)", true],
    ["rate(http_requests_total[5m] offset 1h)", true],
    ["rate(http_requests_total[5m] @ 1700000000)", true],
    ["up @ start()", true],
    ["max_over_time(rate(http_requests_total[5m])[30m:1m])", true],
    ["min_over_time(up[1h:] offset -5m)", true],
    ["sum by (job) (a) / on (job) group_left (team) b", true],
    ["a * ignoring (instance) group_right b", true],
    ["up == bool 1", true],
    ['label_replace(up, "dst", "$1", "src", "(.*)")', true],
    ["label_join(up, `dst`, ',', 'a', 'b')", true],
    ["histogram_quantile(0.99, sum by (le) (rate(request_seconds_bucket[5m])))", true],
    ['up{job=~"(?i)api|web", instance!~"[[:digit:]]+:9.*"}', true],
    ['{__name__=~"job:.+"} > 1e3', true],
    ["topk(3, sum by (pod) (rate(x[1h]))) unless on (pod) y", true],
    ['absent(up{job="x"}) or vector(0)', true],
    ["up\n  and\nup > 0", true],
    ["up ==", false],
    ["sum(rate(x[5m])", false],
    ["rate(x[5m]", false],
    ["up{job=}", false],
    ["foo bar", false],
    ["nosuchfunction(up)", false],
    ['up{job=~"("}', false],
    ['up{job!~"[a-"}', false],
    ["sum by job (up)", false],
    ["up offset", false],
];

describe("PromQL expression check (cross-checked with promtool check rules)", () => {
    const tmp = tempDir("mla-promql-");
    after(() => tmp.cleanup());

    CASES.forEach(([expr, valid], i) => {
        it(`${valid ? "accepts" : "refuses"} ${JSON.stringify(expr)}, as promtool does`, async () => {
            const groups = [{ name: "g", rules: [{ record: "r:x", expr }] }];
            const problems = ruleGroupProblems(groups, "metricRuleGroups", "promql");
            const file = tmp.write(`case-${i}.yml`, renderRuleFile(groups));
            const result = await runBinary("promtool", ["check", "rules", file]);
            expect(result.code === 0, `promtool: ${result.output}`).to.equal(valid);
            if (valid) expect(problems).to.deep.equal([]);
            else {
                expect(problems).to.have.length(1);
                expect(problems[0]).to.match(
                    /^metricRuleGroups group "g" rule 1 \(r:x\): expr ".*" is not valid PromQL \((syntax error at (line \d+, )?column \d+|regex .*)\)$/s,
                );
            }
        });
    });

    it("names the column of the syntax error", () => {
        expect(
            ruleGroupProblems([{ name: "g", rules: [{ alert: "A", expr: "up ==" }] }], "metricRuleGroups", "promql"),
        ).to.deep.equal([
            'metricRuleGroups group "g" rule 1 (A): expr "up ==" is not valid PromQL (syntax error at column 6)',
        ]);
    });

    it("names the regex of a label matcher that does not compile", () => {
        expect(
            ruleGroupProblems([{ name: "g", rules: [{ alert: "A", expr: 'up{a=~"("}' }] }], "g", "promql"),
        ).to.deep.equal([
            'g group "g" rule 1 (A): expr "up{a=~\\"(\\"}" is not valid PromQL (regex "(" at column 7: Unterminated group)',
        ]);
    });
});
