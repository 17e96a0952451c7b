/**
 * `npm run bench:kubeconfig`: what reading one user kubeconfig costs the service, against the two
 * YAML libraries it could use instead, side by side in one run.
 *
 * Every row reads the same MLA_BENCH_KUBECONFIGS (default 2,000) kubeconfigs, each the size and
 * shape `bench:service` sends (its own random CA data and token, about 2.6 KB), MLA_BENCH_REPS
 * (default 5) times, the rows alternating and their order rotating per repetition:
 * - `service`: `kubeconfigProblems`, the whole check a PUT runs (limits, reading, structure);
 * - `js-yaml`: js-yaml's `load` alone, the parser `@kubernetes/client-node` reads kubeconfigs with
 *   (and the service's own reader before `block-yaml.ts`);
 * - `yaml`: the `yaml` library's document model (`parseDocument` and `toJS`), the reference the
 *   service's readers are tested against.
 * It prints µs per kubeconfig (min / median / max over the repetitions) and, per repetition, the
 * ratio of each peer to `service`.
 */
import { randomBytes } from "node:crypto";
import { load } from "js-yaml";
import { parseDocument } from "yaml";
import { kubeconfigProblems } from "../service/operations/kubeconfig";
import { kubeconfig } from "../test/support/kubeconfig";
import { stats } from "./support/stats";

const COUNT = Number(process.env.MLA_BENCH_KUBECONFIGS ?? "2000");
const REPS = Number(process.env.MLA_BENCH_REPS ?? "5");

const texts = Array.from({ length: COUNT }, (_, i) =>
    kubeconfig(
        randomBytes(660).toString("base64url"),
        `https://10.${(i >> 8) & 255}.${i & 255}.1:6443`,
        randomBytes(1100).toString("base64"),
    ),
);

const rows: Record<string, (text: string) => unknown> = {
    service: (t) => {
        if (kubeconfigProblems("userKubeconfig", t).length > 0) throw new Error("a bench kubeconfig was refused");
    },
    "js-yaml": (t) => load(t),
    yaml: (t) => parseDocument(t, { uniqueKeys: false }).toJS(),
};
const names = Object.keys(rows);

/** µs per kubeconfig for one pass of `read` over every text. */
function pass(read: (text: string) => unknown): number {
    const started = process.hrtime.bigint();
    for (const t of texts) read(t);
    return Number(process.hrtime.bigint() - started) / 1000 / texts.length;
}

function main(): void {
    console.log(`bench:kubeconfig: ${COUNT} kubeconfigs of ${texts[0].length} characters, ${REPS} reps, alternating`);
    // A pass of each first, so V8 has compiled every reader before the clock counts.
    for (const name of names) pass(rows[name]);
    const us: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const ratios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let rep = 0; rep < REPS; rep++) {
        const order = names.map((_, i) => names[(i + rep) % names.length]);
        const got: Record<string, number> = {};
        for (const name of order) got[name] = pass(rows[name]);
        for (const name of names) {
            us[name].push(got[name]);
            ratios[name].push(got[name] / got.service);
        }
    }
    const show = (xs: number[], digits: number) => {
        const { min, median, max } = stats(xs);
        return `${min.toFixed(digits)} / ${median.toFixed(digits)} / ${max.toFixed(digits)}`;
    };
    console.log("\n| row | µs per kubeconfig (min / median / max) | time / service's (min / median / max) |");
    console.log("|---|---|---|");
    for (const name of names) console.log(`| ${name} | ${show(us[name], 1)} | ${show(ratios[name], 2)} |`);
}

main();
