import { expect } from "chai";
import { alertmanagerConfigProblems } from "../../spec/checks/alertmanager-config";
import { runBinary, tempDir } from "./binaries";

const config = (route: string, receiver: string, extra = ""): string =>
    `route:\n  receiver: r\n${route}receivers:\n  - name: r\n${receiver}${extra}`;

/** [label, config, expected message fragment or undefined when both this check and amtool accept it]. */
const CASES: [string, string, string | undefined][] = [
    [
        "valid matchers and a quoted regex",
        config("  routes:\n    - receiver: r\n      matchers: ['a=~\"prod-.*\"', 'b!~\"(?i)x|y\"', 'c=\"d\"']\n", ""),
        undefined,
    ],
    [
        "several matchers in one string",
        config('  routes:\n    - receiver: r\n      matchers: [\'{a="1", b=~"x,y"}\']\n', ""),
        undefined,
    ],
    [
        "a legacy match_re",
        config("  routes:\n    - receiver: r\n      match_re: {service: '^(foo|bar)$'}\n", ""),
        undefined,
    ],
    [
        "a webhook with its known fields",
        config(
            "",
            "    webhook_configs:\n      - url: https://hooks.example.com/x\n        send_resolved: true\n        max_alerts: 3\n",
        ),
        undefined,
    ],
    [
        "a slack receiver",
        config(
            "",
            "    slack_configs:\n      - api_url: https://hooks.slack.com/x\n        channel: '#a'\n        title: t\n        text: x\n",
        ),
        undefined,
    ],
    [
        "an unquoted broken matcher regex",
        config("  routes:\n    - receiver: r\n      matchers: ['a=~(']\n", ""),
        'invalid regex "(" in matcher "a=~("',
    ],
    [
        "a quoted broken matcher regex",
        config("  routes:\n    - receiver: r\n      matchers: ['a=~\"[x\"']\n", ""),
        'invalid regex "[x"',
    ],
    [
        "a broken match_re",
        config("  routes:\n    - receiver: r\n      match_re: {service: '(foo'}\n", ""),
        'match_re.service: invalid regex "(foo"',
    ],
    [
        "a broken inhibit matcher",
        config("", "", "inhibit_rules:\n  - source_matchers: ['a=~\"*\"']\n    target_matchers: ['b=\"c\"']\n"),
        "inhibit_rules[0].source_matchers[0]: invalid regex",
    ],
    [
        "a matcher without operator",
        config("  routes:\n    - receiver: r\n      matchers: ['severity']\n", ""),
        "is not a matcher such as",
    ],
    [
        "an unknown webhook key",
        config("", "    webhook_configs:\n      - uri: http://x/\n"),
        'receivers[0] (receiver "r").webhook_configs[0] has an unknown key "uri"',
    ],
    [
        "an unknown email key",
        config(
            "",
            "    email_configs:\n      - to: a@example.com\n        from: b@example.com\n        smarthost: smtp.example.com:25\n        subject: x\n",
        ),
        'has an unknown key "subject"',
    ],
    [
        "an unknown integration",
        config("", "    webhooks_configs:\n      - url: https://hooks.example.com/x\n"),
        'has an unknown key "webhooks_configs"',
    ],
];

describe("alertmanager config matchers and receiver keys (cross-checked with amtool check-config)", () => {
    const tmp = tempDir("mla-am-checks-");
    after(() => tmp.cleanup());

    CASES.forEach(([label, text, expected], i) => {
        it(`${expected ? "refuses" : "accepts"} ${label}, as amtool does`, async () => {
            const result = await runBinary("amtool", ["check-config", tmp.write(`case-${i}.yml`, text)]);
            expect(result.code === 0, `amtool: ${result.output}`).to.equal(expected === undefined);
            const problems = alertmanagerConfigProblems(text);
            if (expected === undefined) expect(problems).to.deep.equal([]);
            else {
                expect(problems, problems.join("\n")).to.have.length(1);
                expect(problems[0]).to.contain(expected);
            }
        });
    });
});
