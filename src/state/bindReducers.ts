// Turns a table of pure reducers `(state, ...args) => state` into the store's actions
// `(...args) => void`, for every zustand store here (app and live), so each store lists only
// its reducers and the binding is written once.

/** The actions a reducer table gives: each reducer without its state argument. */
export type ActionsOf<S, R> = { [K in keyof R]: R[K] extends (s: S, ...args: infer A) => S ? (...args: A) => void : never };

export function bindReducers<S, R extends object>(reducers: R, set: (update: (s: S) => S) => void): ActionsOf<S, R> {
  return Object.fromEntries(
    Object.entries(reducers).map(([name, reduce]) => [
      name,
      (...args: unknown[]) => set((s) => (reduce as (s: S, ...a: unknown[]) => S)(s, ...args)),
    ]),
  ) as ActionsOf<S, R>;
}
