import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, type ConfigSource } from "../../programs/config-reader";
import { loadSeedSettings } from "../../programs/seed-config";
import { defaultSeedPlan } from "../../spec/seed-plan";

function source(values: Record<string, unknown>, secrets: Record<string, string> = {}): ConfigSource {
    return {
        namespace: "mla",
        get: (key) => values[key],
        getSecret: (key) => (key in secrets ? pulumi.secret(secrets[key]) : undefined),
    };
}

describe("seed config loader", () => {
    it("applies every default for an empty config", () => {
        const settings = loadSeedSettings(new ConfigReader(source({})));
        const d = defaultSeedPlan();
        expect(settings.plan).to.deep.equal({
            ...d,
            grafana: {
                ...d.grafana,
                rootUrl: undefined,
                authProxy: undefined,
                oauth: undefined,
                database: undefined,
                persistence: { ...d.grafana.persistence, storageClass: undefined },
            },
            objectStore: { ...d.objectStore, storageClass: undefined },
        });
        expect(settings.kubeconfig).to.equal(undefined);
        expect(settings.s3Credentials).to.equal(undefined);
        expect(settings.networkPolicy).to.deep.equal({ enabled: true, extraIngressNamespaces: [] });
    });

    it("reads the NetworkPolicy switch and extra ingress namespaces, refusing non-namespace names", () => {
        const settings = loadSeedSettings(
            new ConfigReader(
                source({ networkPolicy: { enabled: false, extraIngressNamespaces: ["monitoring", "mla-service"] } }),
            ),
        );
        expect(settings.networkPolicy).to.deep.equal({
            enabled: false,
            extraIngressNamespaces: ["monitoring", "mla-service"],
        });
        expect(() =>
            loadSeedSettings(new ConfigReader(source({ networkPolicy: { extraIngressNamespaces: ["Monitoring"] } }))),
        ).to.throw(
            '1 problem in stack config: mla:networkPolicy.extraIngressNamespaces[0] must be a DNS-1123 label, got "Monitoring"',
        );
    });

    it("reads an external S3 store with secret credentials, HA overrides and auth proxy", () => {
        const settings = loadSeedSettings(
            new ConfigReader(
                source(
                    {
                        namespace: "observability",
                        objectStore: { type: "s3", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1" },
                        cortex: { replicationFactor: "2", replicas: { ingester: 4 } },
                        sizing: {
                            profile: "large",
                            resources: { cortex: { ingester: { requests: { memory: "4Gi" } } } },
                        },
                        grafana: { authProxy: { enabled: true, headerName: "X-User", whitelist: ["10.0.0.0/8"] } },
                    },
                    { s3AccessKeyId: "AKIA", s3SecretAccessKey: "secret" },
                ),
            ),
        );
        expect(settings.plan.namespace).to.equal("observability");
        expect(settings.plan.grafana.namespace).to.equal("observability");
        expect(settings.plan.objectStore).to.deep.equal({
            kind: "s3",
            endpoint: "s3.eu-west-1.amazonaws.com",
            region: "eu-west-1",
            insecure: false,
        });
        expect(settings.plan.cortex.replicationFactor).to.equal(2);
        expect(settings.plan.cortex.replicas.ingester).to.equal(4);
        expect(settings.plan.cortex.replicas.distributor).to.equal(2);
        expect(settings.plan.sizing.profile).to.equal("large");
        expect(settings.plan.sizing.resources.cortex.ingester).to.deep.equal({ requests: { memory: "4Gi" } });
        expect(settings.plan.sizing.resources.cortex.querier).to.deep.equal({ requests: { cpu: "1", memory: "2Gi" } });
        expect(settings.plan.grafana.authProxy).to.deep.equal({
            headerName: "X-User",
            headerProperty: "username",
            autoSignUp: true,
            whitelist: ["10.0.0.0/8"],
        });
        expect(settings.s3Credentials).to.not.equal(undefined);
    });

    it("names every mistake of a broken seed config in one line", () => {
        const broken = source({
            namespace: "MLA_Seed",
            objectStore: { type: "s3", endpoint: "https://s3.example.com" },
            cortex: { replicationFactor: 3, replicas: { ingester: 2, querier: 0 } },
            loki: { retention: "a week" },
            grafana: { authProxy: { enabled: true, headerProperty: "uid" } },
            overridesSyncSeconds: "often",
        });
        expect(() => loadSeedSettings(new ConfigReader(broken))).to.throw(
            "9 problems in stack config: " +
                'mla:namespace must be a DNS-1123 label, got "MLA_Seed"; ' +
                'mla:objectStore.endpoint must be host[:port] without a scheme, got "https://s3.example.com"; ' +
                "mla:s3AccessKeyId is required (required when mla:objectStore.type is s3; set it with --secret); " +
                "mla:s3SecretAccessKey is required (required when mla:objectStore.type is s3; set it with --secret); " +
                "mla:cortex.replicas.ingester must be at least cortex.replicationFactor (3), got 2; " +
                "mla:cortex.replicas.querier must be a whole number >= 1, got 0; " +
                'mla:loki.retention must be a duration such as 168h, got "a week"; ' +
                'mla:grafana.authProxy.headerProperty must be one of username, email, got "uid"; ' +
                'mla:overridesSyncSeconds must be a whole number, got "often"',
        );
    });

    it("rejects a distributed MinIO below four pods and unknown resource fields", () => {
        const broken = source({
            objectStore: { minio: { replicas: 2 } },
            sizing: { resources: { minio: { minio: { request: { cpu: "1" } } } } },
        });
        expect(() => loadSeedSettings(new ConfigReader(broken))).to.throw(
            "2 problems in stack config: mla:objectStore.minio.replicas must be at least 4 in distributed mode, got 2; " +
                "mla:sizing.resources.minio.minio.request is not a known setting (known: requests, limits)",
        );
    });
});
