/**
 * Spellings of one request target that a router, a proxy or a naive prefix check might treat
 * differently: percent-encoded letters and digits, doubled slashes, `.` and `..` segments, a
 * trailing slash, mixed case and absolute-form targets. Pure, so the list is easy to read.
 */

/** One hostile spelling of a path. */
export interface PathForm {
    /** What the form does, for failure messages and counts. */
    form: string;
    /** The request target exactly as it goes on the wire. */
    target: string;
}

const pct = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;

/** Percent-encodes the characters of `segment` that `pick` selects. */
function encode(segment: string, pick: (c: string, i: number) => boolean): string {
    return [...segment].map((c, i) => (pick(c, i) ? pct(c) : c)).join("");
}

function mixCase(segment: string): string {
    return [...segment].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join("");
}

/**
 * Every hostile form of `path` (which starts with `/`). `host` is used for absolute-form
 * targets. The plain path is included first, as form "plain".
 */
export function pathForms(path: string, host: string): PathForm[] {
    const segments = path.split("/").slice(1);
    const join = (parts: string[]) => `/${parts.join("/")}`;
    const mapFirst = (f: (s: string) => string) => join([f(segments[0]), ...segments.slice(1)]);
    const mapLast = (f: (s: string) => string) => join([...segments.slice(0, -1), f(segments[segments.length - 1])]);
    const mapAll = (f: (s: string) => string) => join(segments.map(f));
    const lower = path.toLowerCase() === path;
    const forms: PathForm[] = [
        { form: "plain", target: path },
        {
            form: "first letter percent-encoded",
            target: mapFirst((s) => encode(s, (c, i) => i === 0 && /[a-z]/i.test(c))),
        },
        { form: "digits percent-encoded", target: mapAll((s) => encode(s, (c) => /[0-9]/.test(c))) },
        { form: "letters and digits percent-encoded", target: mapFirst((s) => encode(s, (c) => /[a-z0-9]/i.test(c))) },
        { form: "last segment percent-encoded", target: mapLast((s) => encode(s, () => true)) },
        {
            form: "lower-case percent escapes",
            target: mapFirst((s) => encode(s, (c) => /[a-z]/i.test(c)).toLowerCase()),
        },
        { form: "leading //", target: `/${path}` },
        { form: "inner //", target: path.replace(/\/([^/]*)$/, "//$1") },
        { form: "leading /./", target: `/.${path}` },
        { form: "inner /./", target: path.replace(/\/([^/]*)$/, "/./$1") },
        { form: ".. segment", target: `/x/..${path}` },
        { form: "inner .. segment", target: path.replace(/\/([^/]*)$/, "/x/../$1") },
        { form: "public route then ..", target: `/healthz/..${path}` },
        { form: "encoded .. segment", target: `/x/%2E%2E${path}` },
        // The last slash encoded; a one-segment path (`/metrics`) gets an encoded one after its own.
        {
            form: "encoded slash",
            target: /^\/[^/]*$/.test(path) ? `/%2F${path.slice(1)}` : path.replace(/\/([^/]*)$/, "%2F$1"),
        },
        { form: "trailing slash", target: `${path}/` },
        { form: "trailing /.", target: `${path}/.` },
        { form: "mixed case", target: mapAll(mixCase) },
        { form: "upper case", target: path.toUpperCase() },
        { form: "absolute-form", target: `http://${host}${path}` },
        { form: "absolute-form, other host", target: `http://x${path}` },
        { form: "absolute-form, encoded", target: `http://x${mapFirst((s) => encode(s, (c) => /[a-z0-9]/i.test(c)))}` },
        { form: "absolute-form, https, //", target: `https://x/${path}` },
        { form: "query string", target: `${path}?x=/healthz` },
        { form: "fragment", target: `${path}#/healthz` },
        { form: "matrix parameter", target: `${path};x=1` },
    ];
    // Drop forms that equal the plain path (e.g. mixed case of a path with no letters) so each
    // counted request is a different spelling; keep the first occurrence of each target.
    const seen = new Set<string>();
    return forms.filter((f) => {
        if (seen.has(f.target) || (f.form !== "plain" && f.target === path && lower)) return false;
        seen.add(f.target);
        return true;
    });
}
