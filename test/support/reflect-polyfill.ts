/**
 * A minimal Reflect metadata polyfill. @peculiar/x509 resolves its algorithms through tsyringe,
 * which refuses to load without `Reflect.getMetadata`; the usual polyfill (`reflect-metadata`)
 * is not a dependency here, and tsyringe only needs these four functions. Import this module
 * before @peculiar/x509. It does nothing when a real polyfill is already loaded.
 */
type Key = unknown;
type Store = Map<Key, unknown>;

const metadata = new WeakMap<object, Store>();

function own(target: object, create: boolean): Store | undefined {
    let store = metadata.get(target);
    if (!store && create) {
        store = new Map();
        metadata.set(target, store);
    }
    return store;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== "function") {
    const getOwnMetadata = (key: Key, target: object) => own(target, false)?.get(key);
    const defineMetadata = (key: Key, value: unknown, target: object) => void own(target, true)?.set(key, value);
    Object.assign(reflect, {
        getOwnMetadata,
        defineMetadata,
        getMetadata(key: Key, target: object): unknown {
            for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
                const store = own(t, false);
                if (store?.has(key)) return store.get(key);
            }
            return undefined;
        },
        metadata: (key: Key, value: unknown) => (target: object) => defineMetadata(key, value, target),
    });
}

export {};
