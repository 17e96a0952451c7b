/**
 * The receiver-URL host check, as pure logic: exact messages for each kind of refusal, and the
 * range arithmetic cross-checked against Node's own `net.BlockList` on random addresses.
 */
import { expect } from "chai";
import fc from "fast-check";
import { BlockList } from "node:net";
import { BLOCKED_V4, BLOCKED_V6, parseV6, receiverUrlProblem } from "../../spec/checks/alertmanager-url-host";

describe("receiver URL host check", () => {
    const CASES: [string, string | undefined][] = [
        ["https://hooks.slack.com/services/T0/B0/x", undefined],
        ["http://203.0.113.7:8080/hook", undefined],
        ["https://[2606:4700::1111]/", undefined],
        ["http://10.0.0.1/", 'u "http://10.0.0.1/" names an address in 10.0.0.0/8 (private (RFC 1918))'],
        ["http://[::1]/", 'u "http://[::1]/" names an address in ::1/128 (loopback)'],
        [
            "http://[::ffff:169.254.169.254]/",
            'u "http://[::ffff:169.254.169.254]/" names an address in ::ffff:0:0/96 (IPv4-mapped)',
        ],
        [
            "http://2130706433/",
            'u "http://2130706433/" writes an IP address in a non-canonical form (decimal, octal, hex or short); use dotted decimal',
        ],
        [
            "http://a@b.example.com/",
            'u "http://…@b.example.com/" carries userinfo (user@host); put credentials in http_config.basic_auth',
        ],
        // Secrets in a refused URL are never quoted: userinfo, a path past "/", a query.
        [
            "https://alice:Pa55-SECRET@hooks.example.com/services/T0/B0/TOKEN-SECRET",
            'u "https://…@hooks.example.com/…" carries userinfo (user@host); put credentials in http_config.basic_auth',
        ],
        [
            "http://10.0.0.1/hook?token=SECRET",
            'u "http://10.0.0.1/…" names an address in 10.0.0.0/8 (private (RFC 1918))',
        ],
        [
            "https://hooks.example.com/{{ .SECRET }}",
            'u "https://hooks.example.com/…" is a template; receiver endpoints must be literal URLs so they can be checked',
        ],
        [
            "http://svc/",
            'u "http://svc/" has a host that is a single-label name, which resolves through the cluster\'s DNS search path',
        ],
        [
            "http://a.b.svc.example.com/",
            'u "http://a.b.svc.example.com/" has a host that is a Kubernetes Service name (it has a `svc` label)',
        ],
        [
            "http://a.cluster-x/",
            'u "http://a.cluster-x/" has a host that ends in ".cluster-x", which is no top-level domain (a <service>.<namespace> name resolves inside the cluster)',
        ],
        [
            "http://a.b.c.local./",
            'u "http://a.b.c.local./" has a host that ends in ".local", which is cluster-internal or special-use',
        ],
        [
            "http://x_y.example.com/",
            "u \"http://x_y.example.com/\" has a host that is not a valid DNS name (letters, digits, '-' and '.' only)",
        ],
        ["http://[1::2::3]/", 'u "http://[1::2::3]/" has a malformed IPv6 address'],
        ["http://example.com:80x/", 'u "http://example.com:80x/" has a malformed port'],
        [
            "gopher://example.com/",
            'u "gopher://example.com/" uses the scheme "gopher"; only http and https are allowed',
        ],
        ["//example.com/", 'u "//example.com/" is not an absolute http(s) URL'],
    ];
    for (const [url, expected] of CASES) {
        it(`${expected ? "refuses" : "accepts"} ${url}`, () => expect(receiverUrlProblem(url, "u")).to.equal(expected));
    }

    it("parses IPv6 text forms into the same 16 bytes", () => {
        const loop = [...Array<number>(15).fill(0), 1];
        expect(parseV6("::1")).to.deep.equal(loop);
        expect(parseV6("0:0:0:0:0:0:0:1")).to.deep.equal(loop);
        expect(parseV6("0000::0001")).to.deep.equal(loop);
        expect(parseV6("::ffff:10.0.0.1")).to.deep.equal(parseV6("::ffff:a00:1"));
        for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::g", "::1.2.3", ":", "1:2:3:4:5:6:7"])
            expect(parseV6(bad), bad).to.equal(undefined);
    });

    const blockList = (ranges: typeof BLOCKED_V4, family: "ipv4" | "ipv6") => {
        const list = new BlockList();
        for (const r of ranges) {
            const [net, len] = r.cidr.split("/");
            list.addSubnet(net, Number(len), family);
        }
        return list;
    };

    it("refuses exactly the IPv4 addresses Node's BlockList puts in the blocked ranges (5,000 random addresses)", () => {
        const list = blockList(BLOCKED_V4, "ipv4");
        // Half the samples start inside a blocked range's first octet, so both answers get exercised.
        const firstOctets = [...new Set(BLOCKED_V4.map((r) => Number(r.cidr.split(".")[0])))];
        const octet = fc.integer({ min: 0, max: 255 });
        const address = fc
            .tuple(fc.oneof(octet, fc.constantFrom(...firstOctets)), octet, octet, octet)
            .map((b) => b.join("."));
        fc.assert(
            fc.property(address, (ip) => {
                expect(receiverUrlProblem(`http://${ip}/`, "u") !== undefined, ip).to.equal(list.check(ip, "ipv4"));
            }),
            { numRuns: 5_000 },
        );
    });

    it("refuses exactly the IPv6 addresses Node's BlockList puts in the blocked ranges (5,000 random addresses)", () => {
        const list = blockList(BLOCKED_V6, "ipv6");
        const prefixes = BLOCKED_V6.map((r) => parseV6(r.cidr.split("/")[0])!);
        const group = fc.integer({ min: 0, max: 0xffff });
        const address = fc
            .tuple(
                fc.array(group, { minLength: 8, maxLength: 8 }),
                fc.option(fc.constantFrom(...prefixes)),
                fc.integer({ min: 0, max: 8 }),
            )
            .map(([groups, prefix, keep]) => {
                // Optionally copy the first `keep` groups of a blocked range, so hits are common.
                const words = groups.map((g, i) => (prefix && i < keep ? (prefix[2 * i] << 8) | prefix[2 * i + 1] : g));
                return words.map((w) => w.toString(16)).join(":");
            });
        fc.assert(
            fc.property(address, (ip) => {
                expect(receiverUrlProblem(`http://[${ip}]/`, "u") !== undefined, ip).to.equal(list.check(ip, "ipv6"));
            }),
            { numRuns: 5_000 },
        );
    });
});
