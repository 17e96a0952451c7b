import { expect } from "chai";
import { allowedInChild, childEnvironment } from "../../executors/automation/engine-env";

describe("the environment of child processes (allow-list)", () => {
    const cases: Array<[string, boolean]> = [
        ["PATH", true],
        ["HOME", true],
        ["TMPDIR", true],
        ["LANG", true],
        ["LC_ALL", true],
        ["KUBECONFIG", true],
        ["PULUMI_CONFIG_PASSPHRASE", true],
        ["PULUMI_BACKEND_URL", true],
        ["PULUMI_ACCESS_TOKEN", true],
        ["PULUMI_HOME", true],
        ["AWS_ACCESS_KEY_ID", true],
        ["AWS_PROFILE", true],
        ["AZURE_STORAGE_KEY", true],
        ["ARM_CLIENT_SECRET", true],
        ["GOOGLE_APPLICATION_CREDENTIALS", true],
        ["CLOUDSDK_CONFIG", true],
        ["HTTPS_PROXY", true],
        ["no_proxy", true],
        ["SSL_CERT_FILE", true],
        ["MLA_API_TOKEN", false],
        ["MLA_API_TOKEN_FILE", false],
        ["MLA_SPEC_KEY_FILE", false],
        ["MLA_OPERATOR_KUBECONFIG", false],
        ["DATABASE_PASSWORD", false],
        ["GITHUB_TOKEN", false],
        ["NODE_OPTIONS", false],
        ["LD_PRELOAD", false],
        ["npm_config_registry", false],
    ];
    for (const [name, allowed] of cases) {
        it(`${allowed ? "passes on" : "withholds"} ${name}`, () => expect(allowedInChild(name)).to.equal(allowed));
    }

    it("keeps the allow-listed part of the source and adds the caller's extras, never an MLA_ extra", () => {
        const env = childEnvironment(
            { PATH: "/bin", MLA_API_TOKEN: "t", SECRET: "s", PULUMI_CONFIG_PASSPHRASE: "p", EMPTY: undefined },
            { PULUMI_BACKEND_URL: "file:///state", MLA_SNEAKY: "x" },
        );
        expect(env).to.deep.equal({ PATH: "/bin", PULUMI_CONFIG_PASSPHRASE: "p", PULUMI_BACKEND_URL: "file:///state" });
    });
});
