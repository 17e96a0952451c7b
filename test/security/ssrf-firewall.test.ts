/**
 * The Cortex receiver firewall, the defence in depth behind the tenant checks: on for every
 * tenant through the config's `limits`, configurable only by the seed, never by a tenant.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { cortexValues } from "../../components/seed/cortex-values";
import { RECEIVER_FIREWALL_KEYS, receiverFirewallLimits } from "../../components/seed/receiver-firewall";
import { receiverUrlProblem } from "../../spec/checks/alertmanager-url-host";
import { renderCortexOverrides } from "../../components/tenant/limits";
import { applyTenantDefaults } from "../../spec/cluster-defaults";
import { ConfigReader, type ConfigSource } from "../../programs/config-reader";
import { loadSeedSettings } from "../../programs/seed-config";
import { cidrProblem } from "../../spec/checks/cidr";
import { defaultSeedPlan, DEFAULT_RECEIVER_FIREWALL_CIDRS } from "../../spec/seed-plan";

const source = (values: Record<string, unknown>): ConfigSource => ({
    namespace: "mla",
    get: (k) => values[k],
    getSecret: () => undefined,
});

describe("SSRF in depth: the Cortex receiver firewall", () => {
    it("is on in the Cortex config's limits, the default of every tenant", () => {
        const limits = (cortexValues(defaultSeedPlan()).config as { limits: Record<string, unknown> }).limits;
        expect(limits).to.include({
            alertmanager_receivers_firewall_block_private_addresses: true,
            alertmanager_receivers_firewall_block_cidr_networks:
                "0.0.0.0/8,100.64.0.0/10,169.254.169.254/32,168.63.129.16/32,192.0.0.0/24,198.18.0.0/15,240.0.0.0/4,::/128,64:ff9b::/96,fd00:ec2::254/128",
        });
        // The other limit the seed sets is still there.
        expect(limits.ingestion_rate_strategy).to.equal("global");
    });

    it("blocks, for each default CIDR, an address the tenant checks refuse too", () => {
        // One address inside each range, checked against the static check: both layers agree.
        const inside: Record<string, string> = {
            "0.0.0.0/8": "http://0.1.2.3/",
            "100.64.0.0/10": "http://100.127.0.1/",
            "169.254.169.254/32": "http://169.254.169.254/",
            "168.63.129.16/32": "http://168.63.129.16/",
            "192.0.0.0/24": "http://192.0.0.8/",
            "198.18.0.0/15": "http://198.19.0.1/",
            "240.0.0.0/4": "http://250.0.0.1/",
            "::/128": "http://[::]/",
            "64:ff9b::/96": "http://[64:ff9b::a00:1]/",
            "fd00:ec2::254/128": "http://[fd00:ec2::254]/",
        };
        expect(Object.keys(inside)).to.deep.equal([...DEFAULT_RECEIVER_FIREWALL_CIDRS]);
        for (const [cidr, url] of Object.entries(inside)) {
            expect(cidrProblem(cidr), cidr).to.equal(undefined);
            expect(receiverUrlProblem(url, "url"), url).to.contain(" names an address in ");
        }
    });

    it("takes its CIDR list from mla:receiverFirewall.blockCidrNetworks, checked like Go's net.ParseCIDR", () => {
        const custom = loadSeedSettings(
            new ConfigReader(source({ receiverFirewall: { blockCidrNetworks: ["203.0.113.0/24", "2001:db8::/32"] } })),
        );
        expect(custom.plan.receiverFirewall.blockCidrNetworks).to.deep.equal(["203.0.113.0/24", "2001:db8::/32"]);
        expect(receiverFirewallLimits(custom.plan.receiverFirewall.blockCidrNetworks)).to.deep.equal({
            [RECEIVER_FIREWALL_KEYS.blockPrivateAddresses]: true,
            [RECEIVER_FIREWALL_KEYS.blockCidrNetworks]: "203.0.113.0/24,2001:db8::/32",
        });
        expect(loadSeedSettings(new ConfigReader(source({}))).plan.receiverFirewall.blockCidrNetworks).to.deep.equal([
            ...DEFAULT_RECEIVER_FIREWALL_CIDRS,
        ]);
        expect(() =>
            loadSeedSettings(
                new ConfigReader(
                    source({ receiverFirewall: { blockCidrNetworks: ["10.0.0.0", "10.0.0.0/33", "a::b::c/8"] } }),
                ),
            ),
        ).to.throw(
            /receiverFirewall\.blockCidrNetworks\[0\] must be a CIDR such as 100\.64\.0\.0\/10 or fd00::\/8, got "10\.0\.0\.0"[\s\S]*\[1\][\s\S]*\[2\]/,
        );
    });

    it("cannot be switched off by a tenant: its overrides fragment never names a firewall key", () => {
        // The fragment is indented for the merged file's `overrides:` key.
        const fragment = parse(`overrides:\n${renderCortexOverrides("c1", applyTenantDefaults({}))}`) as {
            overrides: Record<string, object>;
        };
        const keys = Object.keys(fragment.overrides.c1);
        expect(keys).to.include("ingestion_rate");
        expect(keys.filter((k) => k.startsWith("alertmanager_receivers_firewall"))).to.deep.equal([]);
    });
});
