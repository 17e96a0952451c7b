import { expect } from "chai";
import { Type } from "@sinclair/typebox";
import { PROBLEM_KEYWORD, dotted, schemaProblems, sortBySchemaOrder } from "../../spec/schema-problems";
import { ClusterSpecInput, TenantInput } from "../../spec/cluster-input";
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader } from "../../programs/config-reader";
import { loadSeedSettings } from "../../programs/seed-config";
import { scrapeSection } from "../../components/agents/prometheus-config";
import { BUILTIN_JOB_NAMES } from "../../spec/checks/custom-scrape-configs";

const S = Type.Object(
    {
        name: Type.String({ pattern: "^[a-z]+$", [PROBLEM_KEYWORD]: "must be lower-case letters" }),
        size: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
        kind: Type.Optional(Type.Union([Type.Literal("a"), Type.Literal("b")])),
        list: Type.Optional(Type.Array(Type.Object({ on: Type.Boolean() }, { additionalProperties: false }))),
    },
    { additionalProperties: false },
);

describe("schemaProblems", () => {
    it("names each path once, with the bound broken, the choices or the field's own message", () => {
        expect(
            schemaProblems(S, { name: "X", size: 0, kind: "c", list: [{ on: "yes", x: 1 }], extra: 1 }),
        ).to.deep.equal([
            { path: "name", kind: "value", message: 'must be lower-case letters, got "X"' },
            { path: "size", kind: "value", message: "must be a whole number >= 1, got 0" },
            { path: "kind", kind: "value", message: 'must be one of a, b, got "c"' },
            { path: "list[0].on", kind: "value", message: 'must be true or false, got "yes"' },
            { path: "list[0].x", kind: "unknown", message: "is not a known setting (known: on)" },
            { path: "extra", kind: "unknown", message: "is not a known setting (known: name, size, kind, list)" },
        ]);
        expect(schemaProblems(S, { size: 10 })).to.deep.equal([
            { path: "name", kind: "required", message: "is required" },
            { path: "size", kind: "value", message: "must be a whole number <= 9, got 10" },
        ]);
        expect(schemaProblems(S, { name: "ok", size: 2.5 })[0].message).to.equal("must be a whole number, got 2.5");
        expect(schemaProblems(S, { name: "ok" })).to.deep.equal([]);
    });

    it("orders problems as the schema orders its fields, keeping the order of paths it does not reach", () => {
        const problems = ["tenant.retention.logs", "gateway.replicas", "tenant.alertmanagerConfig.route", "clusterId"];
        const sorted = sortBySchemaOrder(
            ClusterSpecInput,
            problems.map((path) => ({ path, message: "" })),
        ).map((p) => p.path);
        expect(sorted).to.deep.equal([
            "clusterId",
            "gateway.replicas",
            "tenant.alertmanagerConfig.route",
            "tenant.retention.logs",
        ]);
        expect(dotted("/a/0/b~1c")).to.equal("a[0].b/c");
    });

    it("knows every job the agents render as built in, so a custom job cannot take a built-in's name", () => {
        const jobs = scrapeSection({
            clusterId: "c1",
            scrapeInterval: "30s",
            nodeExporter: true,
            kubeStateMetrics: true,
        } as never).scrape_configs.map((j) => j.job_name);
        expect(jobs.filter((j) => !(BUILTIN_JOB_NAMES as readonly unknown[]).includes(j))).to.deep.equal([]);
    });

    it("never quotes a value that may be a secret: the Alertmanager YAML, a password pasted beside its Secret", () => {
        const [problem] = schemaProblems(TenantInput, { alertmanagerConfig: { webhook: "s3cr3t-token" } });
        expect(problem).to.deep.equal({
            path: "alertmanagerConfig",
            kind: "value",
            message: "must be a string of at most 262144 characters, value not shown",
        });
        const reader = new ConfigReader({
            namespace: "mla",
            get: (k) =>
                k === "grafana"
                    ? { database: { type: "postgres", host: "db", name: "g", user: "g", password: "s3cr3t-pw" } }
                    : undefined,
            getSecret: () => pulumi.secret("unused"),
        });
        expect(() => loadSeedSettings(reader))
            .to.throw(/grafana\.database\.password is not a known setting/)
            .and.satisfy((e: Error) => !e.message.includes("s3cr3t"));
    });
});
