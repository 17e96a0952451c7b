import { expect } from "chai";
import { DEFAULT_ALERTMANAGER_CONFIG, renderAlertmanagerConfig } from "../../components/tenant/alertmanager-config";
import { alertmanagerConfigProblems } from "../../spec/checks/alertmanager-config";
import { TenantConfigError } from "../../components/tenant/tenant-error";
import { runBinary, tempDir } from "./binaries";

const WEBHOOK = `route:
  receiver: ops
  group_by: [alertname]
  group_wait: 30s
receivers:
  - name: ops
    webhook_configs:
      - url: https://hooks.example.com/alerts
`;

const EMAIL_WITH_ROUTES = `global:
  smtp_smarthost: smtp.example.com:587
  smtp_from: alerts@example.com
  smtp_auth_username: alerts
  smtp_auth_password: not-a-real-password
route:
  receiver: "null"
  repeat_interval: 4h
  routes:
    - receiver: team-mail
      matchers: ['severity="critical"']
      routes:
        - receiver: oncall
          matchers: ['namespace=~"prod-.*"']
receivers:
  - name: "null"
  - name: team-mail
    email_configs:
      - to: team@example.com
  - name: oncall
    webhook_configs:
      - url: https://oncall.example.com/hook
`;

const WITH_INHIBIT = `route:
  receiver: hook
receivers:
  - name: hook
    webhook_configs:
      - url: http://alert-sink.example.com/
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname, namespace]
`;

const OWNER_CONFIGS: Record<string, string> = {
    webhook: WEBHOOK,
    "email with nested routes": EMAIL_WITH_ROUTES,
    "inhibit rules": WITH_INHIBIT,
};

describe("alertmanager config", () => {
    const tmp = tempDir("mla-am-");
    after(() => tmp.cleanup());

    it("routes everything to a receiver named null when the owner gives no config", () => {
        expect(renderAlertmanagerConfig()).to.equal(DEFAULT_ALERTMANAGER_CONFIG);
        expect(renderAlertmanagerConfig("  \n")).to.equal(DEFAULT_ALERTMANAGER_CONFIG);
        expect(DEFAULT_ALERTMANAGER_CONFIG).to.equal('route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n');
    });

    it("delivers an owner config as written, with redirects switched off for every HTTP client", () => {
        const delivered = `${WEBHOOK}global:\n  http_config:\n    follow_redirects: false\n`;
        expect(renderAlertmanagerConfig(WEBHOOK)).to.equal(delivered);
        expect(renderAlertmanagerConfig(WEBHOOK.trimEnd())).to.equal(delivered);
    });

    it("amtool check-config accepts the default config", async () => {
        const result = await runBinary("amtool", [
            "check-config",
            tmp.write("default.yml", renderAlertmanagerConfig()),
        ]);
        expect(result.code, result.output).to.equal(0);
    });

    for (const [label, text] of Object.entries(OWNER_CONFIGS)) {
        it(`accepts an owner config with ${label}, and so does amtool check-config`, async () => {
            expect(alertmanagerConfigProblems(text)).to.deep.equal([]);
            const path = tmp.write(`${label.replace(/\W+/g, "-")}.yml`, renderAlertmanagerConfig(text));
            const result = await runBinary("amtool", ["check-config", path]);
            expect(result.code, result.output).to.equal(0);
        });
    }

    const BROKEN: [string, string, string[]][] = [
        ["not YAML", "route: [", ["alertmanagerConfig is not valid YAML (line 1)"]],
        ["a list", "- a\n- b\n", ["alertmanagerConfig must be a YAML mapping with route and receivers"]],
        ["no route", 'receivers:\n  - name: "null"\n', ["alertmanagerConfig.route is required and must be a mapping"]],
        [
            "no receivers and a route without receiver",
            "route:\n  group_wait: 30s\n",
            [
                "alertmanagerConfig.receivers is required and must list at least one receiver",
                "alertmanagerConfig.route.receiver is required (the receiver for unmatched alerts)",
            ],
        ],
        [
            "a route to an undefined receiver and a bad duration",
            "route:\n  receiver: a\n  routes:\n    - receiver: pager\n      group_interval: 5 minutes\nreceivers:\n  - name: a\n",
            [
                'alertmanagerConfig.route.routes[0].receiver "pager" is not one of the receivers',
                'alertmanagerConfig.route.routes[0].group_interval must be a duration such as "5m" or "168h", got "5 minutes"',
            ],
        ],
        [
            "a duplicate receiver and a password file",
            "route:\n  receiver: a\nreceivers:\n  - name: a\n  - name: a\n    webhook_configs:\n      - url: https://hooks.example.com/x\n        http_config:\n          basic_auth:\n            username: u\n            password_file: /etc/secret\n",
            [
                'alertmanagerConfig.receivers: the name "a" is used twice',
                "alertmanagerConfig.receivers[1].webhook_configs[0].http_config.basic_auth.password_file refers to a local file, which the multi-tenant Alertmanager does not allow; put the value inline",
            ],
        ],
    ];
    for (const [label, text, expected] of BROKEN) {
        it(`rejects a config with ${label}, naming each problem`, () => {
            const problems = alertmanagerConfigProblems(text);
            expect(problems).to.have.length(expected.length);
            problems.forEach((p, i) => expect(p.startsWith(expected[i]), p).to.equal(true));
            expect(() => renderAlertmanagerConfig(text)).to.throw(TenantConfigError, expected[0]);
        });
    }

    it("a route to an undefined receiver is rejected by amtool as well", async () => {
        const text = "route:\n  receiver: missing\nreceivers:\n  - name: a\n";
        expect(alertmanagerConfigProblems(text)).to.deep.equal([
            'alertmanagerConfig.route.receiver "missing" is not one of the receivers',
        ]);
        const result = await runBinary("amtool", ["check-config", tmp.write("broken.yml", text)]);
        expect(result.code).to.not.equal(0);
        expect(result.output).to.match(/undefined receiver "missing"/);
    });
});
