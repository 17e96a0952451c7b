/**
 * Verdicts of a pure check on request text, remembered by the text's SHA-256, so a text every
 * request carries is judged once. A seed's kubeconfig is the one that matters: every cluster of
 * the seed sends it (or reads it from the same file), about 2.6 KB of YAML that costs about ten
 * times its hash to read. Only the digest and the verdict are kept, never the text, so the memo
 * holds no secret.
 *
 * The hash is of the text's UTF-8 bytes, which tell two strings apart only when neither has a lone
 * surrogate (UTF-8 turns each into U+FFFD): such a text is judged every time, never remembered.
 * Between well-formed texts, SHA-256 puts a shared verdict by collision out of reach.
 *
 * Bounded: at most `capacity` verdicts, least recently used out first.
 */
import { hash } from "node:crypto";

/** Whether `text` has no lone surrogate (ES2024's `isWellFormed`, in Node since 20). */
const wellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

export class VerdictMemo<T> {
    private readonly verdicts = new Map<string, T>();

    constructor(private readonly capacity: number) {
        if (!(capacity >= 1)) throw new Error("a verdict memo needs room for at least one verdict");
    }

    /** The verdict on `text` under `scope` (e.g. the field): remembered, or `judge(text)`'s, then remembered. */
    verdict(scope: string, text: string, judge: (text: string) => T): T {
        if (!wellFormed(text)) return judge(text);
        const key = `${scope}\0${hash("sha256", text, "base64")}`;
        const known = this.verdicts.get(key);
        if (known !== undefined || this.verdicts.has(key)) {
            // Most recently used last: delete and set again moves it to the end of the Map's order.
            this.verdicts.delete(key);
            this.verdicts.set(key, known as T);
            return known as T;
        }
        const judged = judge(text);
        if (this.verdicts.size >= this.capacity) this.verdicts.delete(this.verdicts.keys().next().value!);
        this.verdicts.set(key, judged);
        return judged;
    }

    /** Whether a verdict on `text` under `scope` is held now (tests). */
    knows(scope: string, text: string): boolean {
        return wellFormed(text) && this.verdicts.has(`${scope}\0${hash("sha256", text, "base64")}`);
    }

    /** Verdicts held now (tests). */
    get size(): number {
        return this.verdicts.size;
    }
}
