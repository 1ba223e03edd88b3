// A tiny promise wrapper over one IndexedDB object store. Browser only.
const DB_NAME = "ehr-keystore";
const STORE = "sealed-keys";
const VERSION = 1;

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") return reject(new Error("This browser has no IndexedDB; the key cannot be stored."));
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB failed to open"));
  });
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = run(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result as T);
      transaction.onerror = () => reject(transaction.error ?? new Error("IndexedDB request failed"));
      transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB request aborted"));
    });
  } finally {
    db.close();
  }
}

export const idbGet = (key: string) => withStore<unknown>("readonly", (store) => store.get(key));
export const idbPut = (key: string, value: unknown) => withStore<IDBValidKey>("readwrite", (store) => store.put(value, key));
export const idbDelete = (key: string) => withStore<undefined>("readwrite", (store) => store.delete(key));
