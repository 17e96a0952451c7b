import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { kubeconfigProblems } from "../../service/operations/kubeconfig";
import { kubeconfig } from "./support";

/** A kubeconfig as real ones come: long certificate data and a long token, each on its own line. */
const withData = (names = { cluster: "c", user: "u", ctxCluster: "c", ctxUser: "u" }) =>
    [
        "apiVersion: v1",
        "clusters:",
        `  - name: ${names.cluster}`,
        "    cluster:",
        `      certificate-authority-data: ${randomBytes(900).toString("base64")}`,
        "      server: https://10.0.0.1:6443",
        "users:",
        `  - name: ${names.user}`,
        "    user:",
        `      client-certificate-data: ${randomBytes(600).toString("base64")}`,
        `      client-key-data: ${randomBytes(600).toString("base64")}`,
        `      token: ${randomBytes(500).toString("base64url")}.${randomBytes(100).toString("base64url")}`,
        "contexts:",
        `  - context: { cluster: ${names.ctxCluster}, user: ${names.ctxUser} }`,
        "    name: ctx",
        "current-context: ctx",
        "",
    ].join("\n");

describe("kubeconfigProblems", () => {
    const table: Array<[string, string, string[]]> = [
        ["a complete kubeconfig", kubeconfig("t".repeat(20)), []],
        [
            "broken YAML, by line only",
            "clusters:\n  - name: c\n    cluster: {server: [\n",
            ["kc is not valid YAML (line 4)"],
        ],
        ["a scalar", "just-a-token-value", ["kc must be a kubeconfig mapping"]],
        ["an empty mapping", "{}", ["kc has no cluster with a server address", "kc has no user", "kc has no context"]],
        [
            "a current-context that does not exist",
            kubeconfig("t").replace("current-context: ctx", "current-context: other"),
            ["kc current-context names a context that does not exist"],
        ],
        [
            "a context naming a missing cluster and user",
            kubeconfig("t").replace("{ cluster: c, user: u }", "{ cluster: x, user: y }"),
            ["kc context names a cluster that does not exist", "kc context names a user that does not exist"],
        ],
        [
            "two contexts and no current-context",
            kubeconfig("t")
                .replace("current-context: ctx\n", "")
                .replace("contexts:\n", "contexts:\n  - name: b\n    context: { cluster: c, user: u }\n"),
            ["kc has 2 contexts and no current-context"],
        ],
        [
            "a cluster without a server",
            kubeconfig("t").replace(/ {6}server: .*\n/, "      insecure-skip-tls-verify: true\n"),
            ["kc has no cluster with a server address"],
        ],
    ];
    for (const [name, text, problems] of table) {
        it(`${problems.length === 0 ? "accepts" : "reports"} ${name}`, () =>
            expect(kubeconfigProblems("kc", text)).to.deep.equal(problems));
    }

    it("reads kubeconfigs with long certificate data and tokens, and still reads every name and server however long", () => {
        expect(kubeconfigProblems("kc", withData())).to.deep.equal([]);
        const long = "n".repeat(100);
        expect(
            kubeconfigProblems("kc", withData({ cluster: long, user: long, ctxCluster: long, ctxUser: long })),
        ).to.deep.equal([]);
        expect(
            kubeconfigProblems("kc", withData({ cluster: long, user: long, ctxCluster: `${long}x`, ctxUser: long })),
        ).to.deep.equal(["kc context names a cluster that does not exist"]);
        const longServer = withData().replace("https://10.0.0.1:6443", "A".repeat(100));
        expect(kubeconfigProblems("kc", longServer)).to.deep.equal([]);
        const noServer = withData().replace(/ {6}server: .*\n/, "");
        expect(kubeconfigProblems("kc", noServer)).to.deep.equal(["kc has no cluster with a server address"]);
        // A broken line after the long values keeps its number.
        expect(kubeconfigProblems("kc", `${withData()}bad: [\n`)).to.deep.equal(["kc is not valid YAML (line 18)"]);
    });

    it("never quotes the document in a problem", () => {
        const secret = "super-secret-token-value-123456";
        for (const text of [
            `token: ${secret}\n  bad: [`,
            `${secret}`,
            `users: [{name: u, user: {token: ${secret}}}]`,
        ]) {
            expect(kubeconfigProblems("kc", text).join(" ")).to.not.include(secret);
        }
    });
});
