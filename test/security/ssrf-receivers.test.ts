/**
 * Alert receivers cannot reach inside the seed. Every attack form is refused by the tenant checks
 * with a message naming the field; each is cross-checked with the real amtool: the same config
 * shape with a public URL passes `amtool check-config` AND our checks, so the refusal is ours and
 * not a syntax error. Shapes amtool 0.25 (Debian) cannot parse at all (`http_headers`, added in
 * Alertmanager 0.27) are marked and checked by our side only.
 */
import { expect } from "chai";
import { alertmanagerConfigProblems } from "../../spec/checks/alertmanager-config";
import { renderAlertmanagerConfig } from "../../components/tenant/alertmanager-config";
import { parse } from "yaml";
import { runBinary, tempDir } from "../tenant/binaries";

/** A config with one receiver "r" whose body is `receiver` (indented under the list item). */
const am = (receiver: string, top = ""): string =>
    `${top}route:\n  receiver: r\nreceivers:\n  - name: r\n${receiver
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}\n`;

const webhook = (url: string, extra = "") => am(`webhook_configs:\n  - url: ${JSON.stringify(url)}${extra}`);
const PUBLIC = "https://hooks.example.com/alerts";

/** One attack: the refused config, its public twin, the expected message fragment. */
interface Attack {
    label: string;
    attack: string;
    publicTwin: string;
    expected: string;
    /** amtool 0.25 cannot parse this shape, so only our side is checked. */
    amtoolCannotParse?: string;
}

const urlAttacks: [string, string, string][] = [
    [
        "the issue's purger URL",
        "http://cortex-purger.mla.svc.cluster.local:8080/purger/delete_tenant",
        "a Kubernetes Service name",
    ],
    ["a *.svc name", "http://cortex-distributor.mla.svc:8080/api/v1/push", "a Kubernetes Service name"],
    ["a *.cluster.local name", "http://grafana.cluster.local/", 'ends in ".local"'],
    ["a <service>.<namespace> name", "http://cortex-purger.mla:8080/", 'ends in ".mla"'],
    ["a gateway in a cluster namespace", "http://mla-gateway-read.cluster-victim:8080/", 'ends in ".cluster-victim"'],
    ["the Kubernetes API", "https://kubernetes.default/api", 'ends in ".default"'],
    ["a kube-system name", "http://kube-dns.kube-system/", 'ends in ".kube-system"'],
    ["a single-label name", "http://cortex-purger:8080/", "single-label name"],
    ["localhost", "http://localhost:8080/", "names the node itself"],
    ["localhost with a trailing dot", "http://localhost.:8080/", "names the node itself"],
    ["a *.localhost name", "http://api.localhost/", 'ends in ".localhost"'],
    ["loopback", "http://127.0.0.1:8080/", "127.0.0.0/8 (loopback)"],
    ["loopback with a trailing dot", "http://127.0.0.1./", "127.0.0.0/8 (loopback)"],
    ["decimal loopback", "http://2130706433/", "non-canonical form"],
    ["hex/short loopback", "http://0x7f.1/", "non-canonical form"],
    ["short loopback", "http://127.1/", "non-canonical form"],
    ["octal loopback", "http://0177.0.0.1/", "non-canonical form"],
    ["octal private with leading zero", "http://010.0.0.1/", "non-canonical form"],
    ["a percent-encoded host", "http://%31%32%37.0.0.1/", "percent-encoded host"],
    ["userinfo hiding a private host", "http://public.example.com@10.0.0.1/", "carries userinfo"],
    ["userinfo with a password", "http://user:pw@hooks.example.com/", "carries userinfo"],
    ["RFC 1918 10/8", "http://10.0.0.1/", "10.0.0.0/8"],
    ["RFC 1918 172.16/12", "http://172.20.1.1:9000/", "172.16.0.0/12"],
    ["RFC 1918 192.168/16", "http://192.168.1.1/", "192.168.0.0/16"],
    ["CGNAT", "http://100.64.0.10/", "100.64.0.0/10"],
    ["link-local", "http://169.254.1.1/", "169.254.0.0/16"],
    ["the metadata address", "http://169.254.169.254/latest/meta-data/", "169.254.169.254/32"],
    ["the GCP metadata name", "http://metadata.google.internal/computeMetadata/v1/", "cloud metadata"],
    ["the unspecified address", "http://0.0.0.0:8080/", "0.0.0.0/8"],
    ["IPv6 loopback", "http://[::1]:8080/", "::1/128"],
    ["IPv6 unspecified", "http://[::]/", "::/128"],
    ["IPv6 ULA", "http://[fd12:3456::1]/", "fc00::/7"],
    ["the AWS IPv6 metadata address", "http://[fd00:ec2::254]/latest/", "fd00:ec2::254/128"],
    ["IPv6 link-local", "http://[fe80::1]/", "fe80::/10"],
    ["IPv6 link-local with a zone", "http://[fe80::1%25eth0]/", "IPv6 zone"],
    ["IPv4-mapped IPv6", "http://[::ffff:10.0.0.1]/", "::ffff:0:0/96"],
    ["IPv4-mapped IPv6 in hex", "http://[::ffff:7f00:1]/", "::ffff:0:0/96"],
    ["a wildcard-DNS name", "http://10.0.0.1.nip.io/", "wildcard DNS"],
    ["a non-HTTP scheme", "file:///etc/passwd", "only http and https"],
    ["a backslash for the slashes", "http:\\\\10.0.0.1/", "a backslash"],
    ["a NUL before userinfo", "http://hooks.example.com\u0000@10.0.0.1/", "a control character"],
    ["a tab in the host", "http://hooks.example.com\t.10.0.0.1.nip.io/", "whitespace"],
];

const attacks: Attack[] = [
    ...urlAttacks.map(([label, url, expected]) => ({
        label: `webhook: ${label}`,
        attack: webhook(url),
        publicTwin: webhook(PUBLIC),
        expected,
    })),
    // Every URL-bearing field of every receiver type.
    ...(
        [
            [
                "slack api_url",
                "slack_configs:\n  - api_url: http://10.1.2.3/\n    channel: '#a'",
                "slack_configs:\n  - api_url: https://hooks.slack.com/services/x\n    channel: '#a'",
                "slack_configs[0].api_url",
            ],
            [
                "pagerduty url",
                "pagerduty_configs:\n  - routing_key: k\n    url: http://127.0.0.1/",
                "pagerduty_configs:\n  - routing_key: k\n    url: https://events.pagerduty.com/v2/enqueue",
                "pagerduty_configs[0].url",
            ],
            [
                "opsgenie api_url",
                "opsgenie_configs:\n  - api_key: k\n    api_url: http://cortex-alertmanager.mla.svc:8080/",
                "opsgenie_configs:\n  - api_key: k\n    api_url: https://api.opsgenie.com/",
                "opsgenie_configs[0].api_url",
            ],
            [
                "victorops api_url",
                "victorops_configs:\n  - api_key: k\n    routing_key: r\n    api_url: http://[::1]/",
                "victorops_configs:\n  - api_key: k\n    routing_key: r\n    api_url: https://alert.victorops.com/integrations/generic/20131114/alert/",
                "victorops_configs[0].api_url",
            ],
            [
                "wechat api_url",
                "wechat_configs:\n  - api_secret: s\n    corp_id: c\n    api_url: http://192.168.0.5/",
                "wechat_configs:\n  - api_secret: s\n    corp_id: c\n    api_url: https://qyapi.weixin.qq.com/cgi-bin/",
                "wechat_configs[0].api_url",
            ],
            [
                "telegram api_url",
                "telegram_configs:\n  - bot_token: t\n    chat_id: 1\n    api_url: http://localhost/",
                "telegram_configs:\n  - bot_token: t\n    chat_id: 1\n    api_url: https://api.telegram.org",
                "telegram_configs[0].api_url",
            ],
            [
                "discord webhook_url",
                "discord_configs:\n  - webhook_url: http://169.254.169.254/",
                "discord_configs:\n  - webhook_url: https://discord.com/api/webhooks/1/x",
                "discord_configs[0].webhook_url",
            ],
            [
                "webex api_url",
                "webex_configs:\n  - room_id: r\n    api_url: http://2130706433/\n    http_config:\n      authorization:\n        credentials: t",
                "webex_configs:\n  - room_id: r\n    api_url: https://webexapis.com/v1/messages\n    http_config:\n      authorization:\n        credentials: t",
                "webex_configs[0].api_url",
            ],
            [
                "sns api_url",
                "sns_configs:\n  - topic_arn: arn:aws:sns:us-east-1:1:t\n    sigv4:\n      region: us-east-1\n      access_key: AKIDEXAMPLE\n      secret_key: s\n    api_url: http://100.100.100.200/",
                "sns_configs:\n  - topic_arn: arn:aws:sns:us-east-1:1:t\n    sigv4:\n      region: us-east-1\n      access_key: AKIDEXAMPLE\n      secret_key: s\n    api_url: https://sns.us-east-1.amazonaws.com",
                "sns_configs[0].api_url",
            ],
            [
                "sns templated api_url",
                "sns_configs:\n  - topic_arn: arn:aws:sns:us-east-1:1:t\n    sigv4:\n      region: us-east-1\n      access_key: AKIDEXAMPLE\n      secret_key: s\n    api_url: 'https://{{ .CommonLabels.host }}/'",
                "sns_configs:\n  - topic_arn: arn:aws:sns:us-east-1:1:t\n    sigv4:\n      region: us-east-1\n      access_key: AKIDEXAMPLE\n      secret_key: s\n    api_url: https://sns.us-east-1.amazonaws.com",
                "is a template",
            ],
            [
                "email smarthost",
                "email_configs:\n  - to: a@example.com\n    from: b@example.com\n    smarthost: cortex-distributor.mla.svc:8080",
                "email_configs:\n  - to: a@example.com\n    from: b@example.com\n    smarthost: smtp.example.com:587",
                "email_configs[0].smarthost",
            ],
            [
                "http_config.proxy_url",
                `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      proxy_url: http://10.0.0.7:3128/`,
                `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      proxy_url: http://proxy.example.com:3128/`,
                "http_config.proxy_url",
            ],
            [
                "oauth2 token_url",
                `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      oauth2:\n        client_id: a\n        client_secret: b\n        token_url: http://grafana.mla.svc/api/`,
                `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      oauth2:\n        client_id: a\n        client_secret: b\n        token_url: https://auth.example.com/token`,
                "oauth2.token_url",
            ],
        ] as const
    ).map(([label, bad, good, expected]) => ({ label, attack: am(bad), publicTwin: am(good), expected })),
    {
        label: "SNS signing with the seed's AWS identity (no keys)",
        attack: am(
            "sns_configs:\n  - topic_arn: arn:aws:sns:us-east-1:1:t\n    api_url: https://sns.us-east-1.amazonaws.com\n    sigv4:\n      region: us-east-1\n      role_arn: arn:aws:iam::1:role/r",
        ),
        publicTwin: am(
            "sns_configs:\n  - topic_arn: arn:aws:sns:us-east-1:1:t\n    api_url: https://sns.us-east-1.amazonaws.com\n    sigv4:\n      region: us-east-1\n      access_key: AKIDEXAMPLE\n      secret_key: s\n      role_arn: arn:aws:iam::1:role/r",
        ),
        expected: "sigv4 needs access_key and secret_key",
    },
    {
        label: "SNS with an AWS profile from the Alertmanager's disk",
        attack: am(
            "sns_configs:\n  - topic_arn: arn:aws:sns:us-east-1:1:t\n    api_url: https://sns.us-east-1.amazonaws.com\n    sigv4:\n      region: us-east-1\n      access_key: AKIDEXAMPLE\n      secret_key: s\n      profile: default",
        ),
        publicTwin: am(
            "sns_configs:\n  - topic_arn: arn:aws:sns:us-east-1:1:t\n    api_url: https://sns.us-east-1.amazonaws.com\n    sigv4:\n      region: us-east-1\n      access_key: AKIDEXAMPLE\n      secret_key: s",
        ),
        expected: "sigv4.profile reads the Alertmanager's AWS config files",
    },
    {
        label: "global slack_api_url",
        attack: am(`slack_configs:\n  - channel: '#a'`, "global:\n  slack_api_url: http://127.0.0.1/\n"),
        publicTwin: am(
            `slack_configs:\n  - channel: '#a'`,
            "global:\n  slack_api_url: https://hooks.slack.com/services/x\n",
        ),
        expected: "global.slack_api_url",
    },
    {
        label: "global http_config proxy",
        attack: am(
            `webhook_configs:\n  - url: ${PUBLIC}`,
            "global:\n  http_config:\n    proxy_url: http://localhost:3128/\n",
        ),
        publicTwin: am(
            `webhook_configs:\n  - url: ${PUBLIC}`,
            "global:\n  http_config:\n    proxy_url: http://proxy.example.com:3128/\n",
        ),
        expected: "global.http_config.proxy_url",
    },
    {
        label: "global smtp_smarthost",
        attack: am(
            `email_configs:\n  - to: a@example.com\n    from: b@example.com`,
            "global:\n  smtp_smarthost: 127.0.0.1:25\n",
        ),
        publicTwin: am(
            `email_configs:\n  - to: a@example.com\n    from: b@example.com`,
            "global:\n  smtp_smarthost: smtp.example.com:25\n",
        ),
        expected: "global.smtp_smarthost",
    },
    // Headers: the tenant header in any spelling, toward any place.
    ...[
        "X-Scope-OrgID",
        "x-scope-orgid",
        "X_Scope_OrgID",
        "X-Scope-Anything",
        "X-Grafana-Org-Id",
        "X-WEBAUTH-USER",
        "Host",
        "Transfer-Encoding",
    ].map((h) => ({
        label: `email header ${h}`,
        attack: am(
            `email_configs:\n  - to: a@example.com\n    from: b@example.com\n    smarthost: smtp.example.com:587\n    headers:\n      ${h}: victim`,
        ),
        publicTwin: am(
            `email_configs:\n  - to: a@example.com\n    from: b@example.com\n    smarthost: smtp.example.com:587\n    headers:\n      X-Team: ops`,
        ),
        expected: `sets the header "${h}"`,
    })),
    {
        label: "proxy_connect_header X-Scope-OrgID",
        attack: am(
            `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      proxy_url: http://proxy.example.com:3128/\n      proxy_connect_header:\n        X-Scope-OrgID: [victim]`,
        ),
        publicTwin: am(
            `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      proxy_url: http://proxy.example.com:3128/\n      proxy_connect_header:\n        X-Team: [ops]`,
        ),
        expected: 'proxy_connect_header sets the header "X-Scope-OrgID"',
    },
    ...["X-Scope-OrgID", "Authorization", "Cookie"].map((h) => ({
        label: `http_headers ${h}`,
        attack: webhook(PUBLIC, `\n    http_config:\n      http_headers:\n        ${h}:\n          values: [victim]`),
        publicTwin: webhook(
            PUBLIC,
            "\n    http_config:\n      http_headers:\n        X-Team:\n          values: [ops]",
        ),
        expected: `http_headers sets the header "${h}"`,
        amtoolCannotParse: "http_headers needs Alertmanager >= 0.27",
    })),
    {
        label: "http_headers files",
        attack: webhook(
            PUBLIC,
            "\n    http_config:\n      http_headers:\n        X-Team:\n          files: [/etc/passwd]",
        ),
        publicTwin: webhook(
            PUBLIC,
            "\n    http_config:\n      http_headers:\n        X-Team:\n          values: [ops]",
        ),
        expected: "X-Team.files refers to local files",
        amtoolCannotParse: "http_headers needs Alertmanager >= 0.27",
    },
    // Redirects named in the config.
    {
        label: "follow_redirects: true",
        attack: webhook(PUBLIC, "\n    http_config:\n      follow_redirects: true"),
        publicTwin: webhook(PUBLIC, "\n    http_config:\n      follow_redirects: false"),
        expected: "follow_redirects: true is refused",
    },
    {
        label: "follow_redirects: true in global http_config",
        attack: am(`webhook_configs:\n  - url: ${PUBLIC}`, "global:\n  http_config:\n    follow_redirects: true\n"),
        publicTwin: am(
            `webhook_configs:\n  - url: ${PUBLIC}`,
            "global:\n  http_config:\n    follow_redirects: false\n",
        ),
        expected: "global.http_config.follow_redirects: true is refused",
    },
    // YAML 1.1 as Go's yaml.v2 reads it: `yes`/`on` are true, merge keys merge.
    ...["yes", "on", "True"].map((v) => ({
        label: `follow_redirects: ${v} (YAML 1.1 true)`,
        attack: webhook(PUBLIC, `\n    http_config:\n      follow_redirects: ${v}`),
        publicTwin: webhook(PUBLIC, "\n    http_config:\n      follow_redirects: off"),
        expected: "follow_redirects: true is refused",
    })),
    {
        label: "a URL hidden behind a YAML merge key in global",
        attack: am(`slack_configs:\n  - channel: '#a'`, "global:\n  <<: {slack_api_url: 'http://10.0.0.1/'}\n"),
        publicTwin: am(
            `slack_configs:\n  - channel: '#a'`,
            "global:\n  slack_api_url: https://hooks.slack.com/services/x\n",
        ),
        expected: "alertmanagerConfig.global uses a YAML merge key",
    },
    {
        label: "an http_config hidden behind an anchor and a merge key",
        attack: am(
            `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      <<: &p {proxy_url: 'http://127.0.0.1:3128/'}`,
        ),
        publicTwin: am(
            `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      proxy_url: http://proxy.example.com:3128/`,
        ),
        expected: "http_config uses a YAML merge key",
    },
    // Files on the Alertmanager's disk.
    ...(
        [
            [
                "webhook url_file",
                "webhook_configs:\n  - url_file: /var/run/secrets/kubernetes.io/serviceaccount/token",
                `webhook_configs:\n  - url: ${PUBLIC}`,
                "url_file refers to a local file",
            ],
            [
                "slack api_url_file",
                "slack_configs:\n  - api_url_file: /etc/passwd\n    channel: '#a'",
                "slack_configs:\n  - api_url: https://hooks.slack.com/services/x\n    channel: '#a'",
                "api_url_file refers to a local file",
            ],
            [
                "a tls_config ca_file",
                `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      tls_config:\n        ca_file: /etc/ssl/private/key.pem`,
                `webhook_configs:\n  - url: ${PUBLIC}\n    http_config:\n      tls_config:\n        server_name: hooks.example.com`,
                "ca_file refers to a local file",
            ],
        ] as const
    ).map(([label, bad, good, expected]) => ({ label, attack: am(bad), publicTwin: am(good), expected })),
    {
        label: "templates",
        attack: am(`webhook_configs:\n  - url: ${PUBLIC}`, "templates: ['/etc/alertmanager/*.tmpl']\n"),
        publicTwin: am(`webhook_configs:\n  - url: ${PUBLIC}`),
        expected: "templates refers to local template files",
    },
];

describe("SSRF: alert receivers cannot reach inside the seed", () => {
    const tmp = tempDir("mla-ssrf-");
    after(() => tmp.cleanup());
    /**
     * amtool's verdicts per public twin, as written and as delivered (`renderAlertmanagerConfig`,
     * which switches redirects off), from one run over all of them (one process, not 150).
     */
    const amtoolVerdict = new Map<number, string[]>();

    before(async () => {
        const files = attacks.map((a, i) =>
            a.amtoolCannotParse
                ? []
                : [
                      tmp.write(`twin-${i}.yml`, a.publicTwin),
                      tmp.write(`twin-${i}-delivered.yml`, renderAlertmanagerConfig(a.publicTwin)),
                  ],
        );
        const run = await runBinary("amtool", ["check-config", ...files.flat()]);
        files.forEach((pair, i) => {
            amtoolVerdict.set(
                i,
                pair.map(
                    (file) =>
                        run.output.split("\n").find((l) => l.includes(`'${file}'`)) ??
                        `no verdict for ${file} in:\n${run.output}`,
                ),
            );
        });
    });

    attacks.forEach((a, i) => {
        it(`refuses ${a.label}; its public twin passes our checks${a.amtoolCannotParse ? "" : " and amtool"}`, () => {
            const problems = alertmanagerConfigProblems(a.attack);
            expect(problems, `attack accepted:\n${a.attack}`).to.have.length.greaterThan(0);
            expect(problems.join("\n")).to.contain(a.expected);
            expect(
                problems.every((p) => p.startsWith("alertmanagerConfig.")),
                problems.join("\n"),
            ).to.equal(true);
            expect(alertmanagerConfigProblems(a.publicTwin), a.publicTwin).to.deep.equal([]);
            if (a.amtoolCannotParse) return;
            const [written, delivered] = amtoolVerdict.get(i)!;
            expect(written, `amtool on the public twin:\n${a.publicTwin}`).to.match(/SUCCESS$/);
            expect(delivered, `amtool on the delivered twin:\n${renderAlertmanagerConfig(a.publicTwin)}`).to.match(
                /SUCCESS$/,
            );
        });
    });

    it("lists every problem of a config at once, one message per field", () => {
        const text = am(
            [
                "webhook_configs:",
                "  - url: http://10.0.0.1/",
                "  - url: http://2130706433/",
                "    http_config:",
                "      follow_redirects: true",
                "      proxy_url: http://localhost:3128/",
                "slack_configs:",
                "  - api_url: http://cortex-purger.mla.svc.cluster.local:8080/purger/delete_tenant",
                "    channel: '#a'",
            ].join("\n"),
        );
        const problems = alertmanagerConfigProblems(text);
        expect(problems.map((p) => p.split(" ")[0])).to.deep.equal([
            "alertmanagerConfig.receivers[0]",
            "alertmanagerConfig.receivers[0]",
            "alertmanagerConfig.receivers[0]",
            "alertmanagerConfig.receivers[0]",
            "alertmanagerConfig.receivers[0]",
        ]);
        expect(problems.map((p) => p.split(" ")[2])).to.deep.equal([
            '"r").webhook_configs[0].url',
            '"r").webhook_configs[1].url',
            '"r").webhook_configs[1].http_config.follow_redirects:',
            '"r").webhook_configs[1].http_config.proxy_url',
            '"r").slack_configs[0].api_url',
        ]);
    });

    it("delivers every config with redirects off: globally and in each integration's own http_config", () => {
        const text = am(
            `webhook_configs:\n  - url: ${PUBLIC} # ops\n    http_config:\n      basic_auth: {username: u, password: p}\n  - url: ${PUBLIC}\nslack_configs:\n  - api_url: https://hooks.slack.com/services/x\n    channel: '#a'\n    http_config:`,
        );
        const delivered = parse(renderAlertmanagerConfig(text));
        expect(delivered.global.http_config).to.deep.equal({ follow_redirects: false });
        expect(delivered.receivers[0].webhook_configs[0].http_config).to.deep.equal({
            basic_auth: { username: "u", password: "p" },
            follow_redirects: false,
        });
        // Without its own http_config an integration uses the global one (Alertmanager config.go).
        expect(delivered.receivers[0].webhook_configs[1].http_config).to.equal(undefined);
        expect(delivered.receivers[0].slack_configs[0].http_config).to.deep.equal({ follow_redirects: false });
        expect(renderAlertmanagerConfig(text)).to.contain("# ops");
    });

    it("accepts public hosts: names, IPv4 and IPv6 literals, ports, paths and queries", () => {
        for (const url of [
            "https://hooks.example.com/a?b=c#d",
            "http://8.8.8.8:8080/x",
            "https://[2001:4860:4860::8888]/x",
            "https://xn--bcher-kva.de/",
            "https://a.b.c.example.org./",
        ]) {
            expect(alertmanagerConfigProblems(webhook(url)), url).to.deep.equal([]);
        }
    });

    it(`tried ${attacks.length} attack configs; every one was refused`, () => {
        const through = attacks.filter((a) => alertmanagerConfigProblems(a.attack).length === 0).map((a) => a.label);
        expect(through).to.deep.equal([]);
        expect(attacks.length).to.be.greaterThan(70);
    });
});
