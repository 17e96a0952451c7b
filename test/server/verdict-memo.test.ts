import { expect } from "chai";
import { VerdictMemo } from "../../service/input/verdict-memo";
import {
    kubeconfigProblems,
    kubeconfigVerdicts,
    rememberedKubeconfigProblems,
} from "../../service/operations/kubeconfig";
import type { ClusterBody } from "../../service/operations/cluster-body";
import { bodyProblems, resolveSeedKubeconfig } from "../../service/operations/cluster-request";
import { body, kubeconfig } from "./support";

describe("VerdictMemo", () => {
    it("judges a text once per scope, and a changed text again", () => {
        const memo = new VerdictMemo<string>(8);
        const judged: string[] = [];
        const judge = (text: string) => {
            judged.push(text);
            return `verdict on ${text.length}`;
        };
        expect(memo.verdict("a", "text", judge)).to.equal("verdict on 4");
        expect(memo.verdict("a", "text", judge)).to.equal("verdict on 4");
        expect(memo.verdict("b", "text", judge)).to.equal("verdict on 4"); // another scope is judged on its own
        expect(memo.verdict("a", "texT", judge)).to.equal("verdict on 4");
        expect(judged).to.deep.equal(["text", "text", "texT"]);
    });

    it("remembers an undefined verdict too", () => {
        const memo = new VerdictMemo<undefined>(2);
        let calls = 0;
        memo.verdict("s", "x", () => void calls++);
        memo.verdict("s", "x", () => void calls++);
        expect(calls).to.equal(1);
    });

    it("holds at most its capacity, dropping the least recently used first", () => {
        const memo = new VerdictMemo<number>(3);
        const judged: string[] = [];
        const judge = (text: string) => (judged.push(text), text.length);
        for (const t of ["seed", "u1", "u2"]) memo.verdict("f", t, judge);
        memo.verdict("f", "seed", judge); // used again: now the most recent
        memo.verdict("f", "u3", judge); // drops u1, the least recently used
        expect(memo.size).to.equal(3);
        memo.verdict("f", "seed", judge);
        memo.verdict("f", "u2", judge);
        memo.verdict("f", "u1", judge); // judged again
        expect(judged).to.deep.equal(["seed", "u1", "u2", "u3", "u1"]);
    });

    it("never remembers a text with a lone surrogate, which UTF-8 (what is hashed) cannot tell from U+FFFD", () => {
        const memo = new VerdictMemo<string>(8);
        const judged: string[] = [];
        const judge = (text: string) => (judged.push(text), text);
        expect(memo.verdict("f", "c\ufffd", judge)).to.equal("c\ufffd");
        expect(memo.verdict("f", "c\ud800", judge)).to.equal("c\ud800");
        expect(memo.verdict("f", "c\ud800", judge)).to.equal("c\ud800");
        expect(judged).to.deep.equal(["c\ufffd", "c\ud800", "c\ud800"]);
        expect(memo.size).to.equal(1);
    });

    it("refuses a capacity below one", () => {
        expect(() => new VerdictMemo(0)).to.throw(/at least one/);
    });
});

describe("rememberedKubeconfigProblems", () => {
    /** One-character edits of a kubeconfig, each also seen twice: the memo's answer must be the reading's. */
    it("answers exactly as reading the text again, on edits and repeats", () => {
        const base = kubeconfig("t".repeat(40));
        const texts: string[] = [];
        for (let i = 0; i < 400; i++) {
            const at = (i * 7919) % base.length;
            const edit = [":", " ", "-", "\n", "x", "[", ""][i % 7];
            texts.push(base.slice(0, at) + edit + base.slice(at + 1));
        }
        let problems = 0;
        for (const text of [...texts, ...texts.reverse()]) {
            const expected = kubeconfigProblems("seedKubeconfig", text);
            problems += expected.length;
            expect(rememberedKubeconfigProblems("seedKubeconfig", text)).to.deep.equal(expected);
        }
        expect(problems).to.be.greaterThan(0); // the edits broke some of them
    });

    it("names the field it was asked about, not the one a first verdict named", () => {
        const broken = "clusters: []\n";
        expect(rememberedKubeconfigProblems("seedKubeconfig", broken)[0]).to.match(/^seedKubeconfig /);
        expect(rememberedKubeconfigProblems("userKubeconfig", broken)[0]).to.match(/^userKubeconfig /);
    });

    it("hands out a copy, so a caller's change never reaches the next verdict", () => {
        const broken = "users: []\n";
        rememberedKubeconfigProblems("kc", broken).push("added by a caller");
        expect(rememberedKubeconfigProblems("kc", broken)).to.not.include("added by a caller");
    });

    it("keeps the verdict on a text it was asked about", () => {
        const text = kubeconfig("r".repeat(48));
        expect(kubeconfigVerdicts.knows("seedKubeconfig", text)).to.equal(false);
        rememberedKubeconfigProblems("seedKubeconfig", text);
        expect(kubeconfigVerdicts.knows("seedKubeconfig", text)).to.equal(true);
        expect(kubeconfigVerdicts.knows("userKubeconfig", text)).to.equal(false);
    });

    it("is what a request's seed kubeconfig goes through, and never its user kubeconfig", async () => {
        const seed = kubeconfig("s".repeat(52));
        const user = kubeconfig("u".repeat(52));
        const request = body({ seedKubeconfig: seed, userKubeconfig: user }) as ClusterBody;
        expect((await resolveSeedKubeconfig(request, "/nonexistent")).problems).to.deep.equal([]);
        expect(bodyProblems(request)).to.deep.equal([]);
        expect(kubeconfigVerdicts.knows("seedKubeconfig", seed)).to.equal(true);
        expect(kubeconfigVerdicts.knows("userKubeconfig", user)).to.equal(false);
    });

    it("tells a lone surrogate from U+FFFD: a context naming a missing cluster is caught either way round", () => {
        // Raw lone surrogates in the text, as a JSON body's "\ud800" escapes arrive.
        const named = (cluster: string, ctxCluster: string) =>
            [
                "clusters:",
                `  - name: ${cluster}`,
                "    cluster: { server: https://10.0.0.1:6443 }",
                "users: [{ name: u, user: { token: t } }]",
                `contexts: [{ name: x, context: { cluster: ${ctxCluster}, user: u } }]`,
                "",
            ].join("\n");
        for (const [a, b] of [
            ["c\ufffd", "c\ud800"],
            ["c\ud800", "c\ufffd"],
        ]) {
            for (const text of [named(a, a), named(a, b), named(b, b), named(b, a)])
                expect(rememberedKubeconfigProblems("seedKubeconfig", text)).to.deep.equal(
                    kubeconfigProblems("seedKubeconfig", text),
                );
        }
        expect(kubeconfigProblems("seedKubeconfig", named("c\ufffd", "c\ud800"))).to.deep.equal([
            "seedKubeconfig context names a cluster that does not exist",
        ]);
    });
});
