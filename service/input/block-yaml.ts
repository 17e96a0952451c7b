/**
 * A reader for the plain block style that kubeconfigs are written in (`kubectl config view
 * --raw`, client-go's writer, most hand-written ones). It reads nothing else and returns
 * undefined for any other text, which the other readers then read.
 *
 * What it reads:
 * - a mapping at the top;
 * - block mappings and sequences, `- key: value` entries and `key:` followed by a sequence at
 *   the key's own column;
 * - plain keys of letters, digits and `_ . / -`, up to 1,024 characters;
 * - plain scalars on one line, resolved by the core schema (`core-scalars.ts`);
 * - quoted scalars on one line without escapes;
 * - flow collections on one line of plain scalars (`{ cluster: c, user: u }`, `[]`);
 * - whole-line comments.
 *
 * Anything else is left to the other readers: tabs, control characters, non-ASCII text, anchors,
 * aliases, tags, directives, block scalars, multi-line scalars, a comment after a value, a key
 * that is not a plain string, `__proto__`, and nesting deeper than asked.
 *
 * It is about eight times faster than js-yaml on a kubeconfig, and needs no depth scan of its
 * own: its recursion is the nesting, bounded by `maxDepth`. Whatever it reads, `yaml` reads too,
 * with no error and the same value. test/security/block-yaml.test.ts checks that on generated
 * and mutated documents. Only `bounded-input.ts` calls it, after the size limit.
 */
import { resolveCoreScalar } from "./core-scalars";

/** Thrown inside the reader for any text outside what it reads; never escapes it. */
class NotBlockYaml extends Error {}
const NOT = new NotBlockYaml();

/** Anything but printable ASCII and line feeds: tabs, carriage returns, control characters, non-ASCII. */
const UNREAD_CHARS = /[^\n\x20-\x7e]/;
/**
 * A plain key: letters, digits, `_`, `.`, `/`, `-`, not starting with `-` or `.`, then `:`. At
 * most 1,024 characters: `yaml` refuses an implicit key whose `:` comes later than that.
 */
const KEY = /^[A-Za-z0-9_/][A-Za-z0-9_./-]{0,1023}(?=:(?: |$))/;
/** Characters that give a value's first character a meaning other than plain text. */
const INDICATORS = "-?:,[]{}#&*!|>'\"%@`";
/** A plain scalar inside a one-line flow collection. */
const FLOW_SCALAR = "[A-Za-z0-9_/~+][A-Za-z0-9_./~+-]*";
const FLOW_ENTRY = new RegExp(`^ *(${FLOW_SCALAR}) *$`);
const FLOW_PAIR = new RegExp(`^ *([A-Za-z0-9_/][A-Za-z0-9_./-]*): +(${FLOW_SCALAR}) *$`);

/** A key the reader accepts: one that resolves to itself as a string (not `null`, `true`, `1`) and is not `__proto__`. */
function plainKey(key: string): string {
    if (key === "__proto__" || resolveCoreScalar(key) !== key) throw NOT;
    return key;
}

/** A value written on one line, from `text` (trailing spaces removed, not empty). */
function inlineValue(text: string): unknown {
    const first = text[0];
    if (first === '"' || first === "'") {
        // One quoted scalar, alone on its line, without escapes (`\` or `''`) inside.
        const end = text.indexOf(first, 1);
        if (end !== text.length - 1 || (first === '"' && text.includes("\\"))) throw NOT;
        return text.slice(1, end);
    }
    if (first === "{" || first === "[") {
        const close = first === "{" ? "}" : "]";
        if (text[text.length - 1] !== close) throw NOT;
        const inner = text.slice(1, -1);
        if (inner.trim() === "") return first === "{" ? {} : [];
        const entries = inner.split(",");
        if (first === "[")
            return entries.map((e) => {
                const m = FLOW_ENTRY.exec(e);
                if (!m) throw NOT;
                return resolveCoreScalar(m[1]);
            });
        const map: Record<string, unknown> = {};
        for (const e of entries) {
            const m = FLOW_PAIR.exec(e);
            if (!m) throw NOT;
            map[plainKey(m[1])] = resolveCoreScalar(m[2]);
        }
        return map;
    }
    // A `-` starts a plain scalar when text follows it (`--flag`, `-1`); alone, or before a space, it is an entry.
    const entry = first === "-" && (text.length === 1 || text[1] === " ");
    if ((first !== "-" && INDICATORS.includes(first)) || entry) throw NOT;
    if (text.includes(": ") || text.endsWith(":") || text.includes(" #")) throw NOT;
    return resolveCoreScalar(text);
}

/** The reader's state: the text's lines and, per line, where its content starts. */
class Reader {
    /** Content lines only (blank and comment lines dropped), and each one's column and start. */
    private readonly lines: string[] = [];
    private readonly cols: number[] = [];
    private readonly starts: number[] = [];
    private i = 0;

    constructor(
        text: string,
        private readonly maxDepth: number,
    ) {
        for (const line of text.split("\n")) {
            let col = 0;
            while (line.charCodeAt(col) === 32) col++;
            if (col === line.length || line[col] === "#") continue;
            this.lines.push(line);
            this.cols.push(col);
            this.starts.push(col);
        }
    }

    /** The whole document: a mapping at column 0, every line read. */
    document(): unknown {
        if (this.lines.length === 0 || this.cols[0] !== 0) throw NOT;
        const value = this.mapping(0, 1);
        if (this.i !== this.lines.length) throw NOT;
        return value;
    }

    /** Whether line `i` is a sequence entry (`- ` or a lone `-`, which is then refused). */
    private isEntry(i: number): boolean {
        return this.lines[i][this.starts[i]] === "-" && this.lines[i].charCodeAt(this.starts[i] + 1) === 32;
    }

    /** The block starting at line `this.i`, at column `col`: a sequence or a mapping. */
    private block(col: number, depth: number): unknown {
        return this.isEntry(this.i) ? this.sequence(col, depth) : this.mapping(col, depth);
    }

    /** A value that follows `key:` with nothing after it: the lines below, or null. */
    private nested(col: number, depth: number): unknown {
        const i = this.i;
        if (i < this.lines.length && this.cols[i] > col) return this.block(this.cols[i], depth);
        if (i < this.lines.length && this.cols[i] === col && this.isEntry(i)) return this.sequence(col, depth);
        return null;
    }

    /** A block mapping whose keys sit at column `col`, the first on line `this.i`. */
    private mapping(col: number, depth: number): Record<string, unknown> {
        if (depth > this.maxDepth) throw NOT;
        const map: Record<string, unknown> = {};
        while (this.i < this.lines.length && this.cols[this.i] === col) {
            const line = this.lines[this.i];
            const start = this.starts[this.i];
            const key = KEY.exec(start === 0 ? line : line.slice(start));
            if (!key) throw NOT;
            const name = plainKey(key[0]);
            const rest = line.slice(start + key[0].length + 1).trim();
            this.i++;
            map[name] = rest === "" ? this.nested(col, depth + 1) : inlineValue(rest);
            // After a value on one line, nothing may be indented under it (a continuation or an error).
            if (rest !== "" && this.i < this.lines.length && this.cols[this.i] > col) throw NOT;
        }
        if (this.i < this.lines.length && this.cols[this.i] > col) throw NOT;
        return map;
    }

    /** A block sequence whose `- ` sit at column `col`, the first on line `this.i`. */
    private sequence(col: number, depth: number): unknown[] {
        if (depth > this.maxDepth) throw NOT;
        const list: unknown[] = [];
        while (this.i < this.lines.length && this.cols[this.i] === col && this.isEntry(this.i)) {
            const line = this.lines[this.i];
            let start = this.starts[this.i] + 2;
            while (line.charCodeAt(start) === 32) start++;
            const rest = line.slice(start).trimEnd();
            // An entry on the next lines, or a nested `- - x`.
            if (rest === "" || (rest[0] === "-" && (rest.length === 1 || rest[1] === " "))) throw NOT;
            if (KEY.test(rest)) {
                // `- key: value`: a mapping at the key's column, this line its first.
                this.cols[this.i] = start;
                this.starts[this.i] = start;
                list.push(this.mapping(start, depth + 1));
            } else {
                this.i++;
                list.push(inlineValue(rest));
            }
            if (this.i < this.lines.length && this.cols[this.i] > col) throw NOT;
        }
        return list;
    }
}

/**
 * The document in `text` as JavaScript values, or undefined when it is not in the block style
 * read here (or nests deeper than `maxDepth`). Call it only on text within the size limit.
 */
export function readBlockYaml(text: string, maxDepth: number): { value: unknown } | undefined {
    if (UNREAD_CHARS.test(text)) return undefined;
    try {
        return { value: new Reader(text, maxDepth).document() };
    } catch (e) {
        if (e instanceof NotBlockYaml) return undefined;
        throw e;
    }
}
