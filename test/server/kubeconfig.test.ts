import { expect } from "chai";
import { kubeconfigProblems } from "../../service/operations/kubeconfig";
import { kubeconfig } from "./support";

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
