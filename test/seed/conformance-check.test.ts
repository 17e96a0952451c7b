import { expect } from "chai";
import { helmMerge, isFreeForm, schemaViolations, unknownKeyPaths } from "../../scripts/conformance-check";

describe("conformance checker", () => {
    const defaults = {
        replicas: 1,
        config: { auth_enabled: false },
        ingester: { resources: {}, extraArgs: {}, persistence: { size: "2Gi" } },
        buckets: [],
    };

    it("catches keys the chart's defaults do not have, with their full paths", () => {
        const values = {
            replicas: 3,
            replica: 3,
            ingester: { persistence: { sise: "5Gi" } },
            nginx: { enabled: false },
        };
        expect(unknownKeyPaths(values, defaults, [])).to.deep.equal(["replica", "ingester.persistence.sise", "nginx"]);
    });

    it("accepts any key under free-form maps (wildcards match one segment) and treats lists as leaves", () => {
        const values = {
            config: { ruler_storage: { backend: "local" } },
            ingester: { resources: { limits: { memory: "1Gi" } }, extraArgs: { "config.expand-env": "true" } },
            buckets: [{ name: "a", anything: true }],
        };
        expect(unknownKeyPaths(values, defaults, ["config", "*.resources", "*.extraArgs"])).to.deep.equal([]);
        expect(unknownKeyPaths(values, defaults, ["config"])).to.deep.equal([
            "ingester.resources.limits",
            "ingester.extraArgs.config.expand-env",
        ]);
    });

    it("matches free-form patterns by whole segments", () => {
        expect(isFreeForm(["a", "resources", "x"], ["*.resources"])).to.equal(true);
        expect(isFreeForm(["resources"], ["*.resources"])).to.equal(false);
        expect(isFreeForm(["configs"], ["config"])).to.equal(false);
    });

    it("merges values over defaults as Helm does: maps merge, lists and scalars replace, null deletes", () => {
        expect(helmMerge({ a: { b: 1, c: 2 }, l: [1, 2], d: 1 }, { a: { c: 3 }, l: [9], d: null })).to.deep.equal({
            a: { b: 1, c: 3 },
            l: [9],
        });
    });

    it("reports schema violations of the merged values", () => {
        const schema = {
            type: "object",
            properties: {
                mode: { enum: ["A", "B"] },
                ruler: { type: "object", properties: { replicas: { type: "integer" } } },
            },
        };
        expect(schemaViolations({ ruler: { replicas: 2 } }, { mode: "A" }, schema)).to.deep.equal([]);
        expect(schemaViolations({ mode: "C", ruler: { replicas: "two" } }, { mode: "A" }, schema)).to.deep.equal([
            '/mode must be equal to one of the allowed values {"allowedValues":["A","B"]}',
            '/ruler/replicas must be integer {"type":"integer"}',
        ]);
    });
});
