/**
 * The NetworkPolicy evaluator itself, on hand-written cases whose answers follow from the
 * Kubernetes documentation ("Network Policies"), so a wrong evaluator fails here before it is
 * trusted with the rendered policies (network-policy-evaluator.test.ts).
 */
import { expect } from "chai";
import { type NetworkPolicy, type Pod, canReach } from "./network-policy-evaluator";

const pod = (name: string, namespace: string, labels: Record<string, string>, extra: Partial<Pod> = {}): Pod => ({
    name,
    namespace,
    labels,
    ...extra,
});

describe("NetworkPolicy evaluator: Kubernetes semantics on known cases", () => {
    const ns = {
        a: { "kubernetes.io/metadata.name": "a", team: "x" },
        b: { "kubernetes.io/metadata.name": "b", team: "y" },
    };
    const web = pod("web", "a", { app: "web" }, { namedPorts: { http: { port: 8080 } } });
    const db = pod("db", "a", { app: "db", tier: "data" }, { ip: "10.0.0.5" });
    const clientA = pod("client", "a", { role: "client" }, { ip: "10.1.2.3" });
    const clientB = pod("client", "b", { role: "client" }, { ip: "192.168.1.9" });
    const policy = (spec: NetworkPolicy["spec"], namespace = "a"): NetworkPolicy => ({ metadata: { namespace }, spec });
    const reach = (policies: NetworkPolicy[], from: Pod, to: Pod, port = 8080, protocol?: "TCP" | "UDP") =>
        canReach({ namespaces: ns, policies }, { from, to, port, protocol });

    it("allows everything when no policy selects the pod", () => {
        expect(reach([], clientB, web)).to.equal(true);
        expect(reach([policy({ podSelector: { matchLabels: { app: "db" } }, ingress: [] })], clientB, web)).to.equal(
            true,
        );
    });

    it("denies by default once a policy selects the pod for ingress, even with no rules", () => {
        expect(reach([policy({ podSelector: {}, policyTypes: ["Ingress"] })], clientA, web)).to.equal(false);
    });

    it("reads a bare podSelector peer as the policy's own namespace", () => {
        const p = [
            policy({
                podSelector: { matchLabels: { app: "web" } },
                ingress: [{ from: [{ podSelector: { matchLabels: { role: "client" } } }] }],
            }),
        ];
        expect(reach(p, clientA, web)).to.equal(true);
        expect(reach(p, clientB, web)).to.equal(false);
    });

    it("ANDs namespaceSelector and podSelector in one peer, ORs separate peers", () => {
        const and = [
            policy({
                podSelector: {},
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: { matchLabels: { team: "y" } },
                                podSelector: { matchLabels: { role: "admin" } },
                            },
                        ],
                    },
                ],
            }),
        ];
        const or = [
            policy({
                podSelector: {},
                ingress: [
                    {
                        from: [
                            { namespaceSelector: { matchLabels: { team: "y" } } },
                            { podSelector: { matchLabels: { role: "admin" } } },
                        ],
                    },
                ],
            }),
        ];
        expect(reach(and, clientB, web)).to.equal(false);
        expect(reach(or, clientB, web)).to.equal(true);
        expect(reach(and, pod("admin", "b", { role: "admin" }), web)).to.equal(true);
        expect(reach(and, pod("admin", "a", { role: "admin" }), web)).to.equal(false);
    });

    it("matches NotIn and DoesNotExist on pods without the key, In and Exists only with it", () => {
        const sel = (operator: string, values?: string[]) => [
            policy({
                podSelector: {},
                ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "role", operator, values }] } }] }],
            }),
        ];
        const bare = pod("bare", "a", {});
        expect([
            reach(sel("NotIn", ["client"]), bare, web),
            reach(sel("NotIn", ["client"]), clientA, web),
        ]).to.deep.equal([true, false]);
        expect([
            reach(sel("DoesNotExist"), bare, web),
            reach(sel("Exists"), bare, web),
            reach(sel("In", ["client"]), bare, web),
        ]).to.deep.equal([true, false, false]);
    });

    it("limits ports by number, name, range and protocol", () => {
        const p = (ports: NonNullable<NetworkPolicy["spec"]["ingress"]>[number]["ports"]) => [
            policy({ podSelector: {}, ingress: [{ ports }] }),
        ];
        expect(reach(p([{ port: 8080 }]), clientA, web, 8080)).to.equal(true);
        expect(reach(p([{ port: 8080 }]), clientA, web, 8081)).to.equal(false);
        expect(reach(p([{ port: 8080 }]), clientA, web, 8080, "UDP")).to.equal(false);
        expect(reach(p([{ port: "http" }]), clientA, web, 8080)).to.equal(true);
        expect(reach(p([{ port: "http" }]), clientA, db, 8080)).to.equal(false);
        expect(reach(p([{ port: 9000, endPort: 9100 }]), clientA, web, 9095)).to.equal(true);
        expect(reach(p([{ port: 9000, endPort: 9100 }]), clientA, web, 9101)).to.equal(false);
        expect(reach(p([]), clientA, web, 1)).to.equal(true);
    });

    it("matches ipBlock on the pod IP, minus its exceptions", () => {
        const p = [
            policy({
                podSelector: {},
                ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }],
            }),
        ];
        expect(reach(p, pod("x", "b", {}, { ip: "10.9.9.9" }), web)).to.equal(true);
        expect(reach(p, clientA, web)).to.equal(false);
        expect(reach(p, clientB, web)).to.equal(false);
    });

    it("unions policies and needs the source's egress as well as the destination's ingress", () => {
        const onlyA = policy({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
        const alsoB = policy({
            podSelector: {},
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "y" } } }] }],
        });
        expect(reach([onlyA], clientB, web)).to.equal(false);
        expect(reach([onlyA, alsoB], clientB, web)).to.equal(true);
        const denyEgress = policy({
            podSelector: { matchLabels: { role: "client" } },
            egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }],
        });
        expect(reach([denyEgress], clientA, web)).to.equal(false);
        expect(reach([denyEgress], clientA, db)).to.equal(true);
    });
});
