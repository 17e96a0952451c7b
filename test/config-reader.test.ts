import { expect } from "chai";
import { ConfigReader, type ConfigSource } from "../programs/config-reader";
import { ConfigError } from "../spec/config-error";

function source(values: Record<string, unknown>): ConfigSource {
    return { namespace: "mla", get: (k) => values[k], getSecret: () => undefined };
}

describe("ConfigReader", () => {
    it("reads nested paths and typed values, with defaults for missing keys", () => {
        const r = new ConfigReader(source({ cortex: { replicas: "3", enabled: true }, kind: "seed" }));
        expect(r.integer("cortex.replicas", 1)).to.equal(3);
        expect(r.boolean("cortex.enabled", false)).to.equal(true);
        expect(r.integer("cortex.other", 7)).to.equal(7);
        expect(r.oneOf("kind", ["seed", "cluster"], "cluster")).to.equal("seed");
        expect(() => r.done()).not.to.throw();
    });

    it("keeps an explicit zero rather than falling back", () => {
        const r = new ConfigReader(source({ replicas: 0 }));
        expect(r.integer("replicas", 2, { min: 0 })).to.equal(0);
    });

    it("reports every problem in one error", () => {
        const r = new ConfigReader(source({ replicas: "two", kind: "both", enabled: "yes", list: [1] }));
        r.integer("replicas", 1);
        r.oneOf("kind", ["seed", "cluster"], "seed");
        r.boolean("enabled", false);
        r.stringList("list");
        r.string("endpoint", { required: true });
        r.secret("password", { required: true, hint: "pulumi config set --secret mla:password ..." });
        expect(() => r.done())
            .to.throw(ConfigError)
            .with.property(
                "message",
                '6 problems in stack config: mla:replicas must be a whole number, got "two"; ' +
                    'mla:kind must be one of seed, cluster, got "both"; ' +
                    'mla:enabled must be true or false, got "yes"; ' +
                    "mla:list must be a list of strings, got [1]; " +
                    "mla:endpoint is required; " +
                    "mla:password is required (pulumi config set --secret mla:password ...)",
            );
    });

    it("names a scalar where an object is expected", () => {
        const r = new ConfigReader(source({ objectStore: "s3" }));
        expect(r.string("objectStore.endpoint")).to.equal(undefined);
        expect(() => r.done()).to.throw("1 problem in stack config: mla:objectStore must be an object");
    });
});
