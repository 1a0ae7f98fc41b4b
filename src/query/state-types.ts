/**
 * The shapes of query state: plain data that the builders of state.ts derive and the URL building
 * of url.ts reads. Apart from both, since state.ts names what a call would leave out by what
 * url.ts sends (`checkWholeSet`): each imports these, and state.ts imports url.ts.
 */

/** The system query options of a query (or of one level of a nested `$expand`). */
export interface QueryOptionsState {
  /** `$filter` expressions, ANDed when there are several. */
  readonly filters?: readonly string[];
  readonly select?: readonly string[];
  readonly expand?: readonly ExpandItem[];
  /** `$orderby` items such as `Name desc`. */
  readonly orderBy?: readonly string[];
  readonly top?: number;
  readonly skip?: number;
  readonly count?: boolean;
  readonly search?: string;
  /** `$apply` transformations, joined with `/`. */
  readonly apply?: readonly string[];
  /** `$compute` items, joined with `,`. */
  readonly compute?: readonly string[];
  /** `$levels` of a recursive nested expand. */
  readonly levels?: number | "max";
  /** Custom query options (such as `sap-client`) and parameter aliases, in order. */
  readonly params?: readonly (readonly [string, string])[];
}

/** One `$expand` item: a navigation path and its nested options. */
export interface ExpandItem {
  readonly path: string;
  readonly options: QueryOptionsState;
}

/** The state of a collection query. */
export interface QueryState extends QueryOptionsState {
  /** The entity set name, as given to `client.collection(name)` (or the navigation property of `navigate(name)`). */
  readonly entitySet: string;
  /**
   * The encoded path of the entity the collection is reached from by navigation, such as
   * `Books(1)` for `Books(1)/reviews`; absent for an entity set.
   */
  readonly parentPath?: string;
  /** Set by `trackChanges()`: every read asks for change tracking (kept through every builder call, which spread the state). */
  readonly trackChanges?: boolean;
}

/** The state of a single-entity query (`collection.key(...)`, a singleton, a single-valued navigation). */
export interface EntityState extends QueryOptionsState {
  readonly entitySet: string;
  /** As in {@link QueryState.parentPath}: `Books(1)` for `Books(1)/author`. */
  readonly parentPath?: string;
  /**
   * The key predicate before percent-encoding, such as `(1)`, `('O''Brien')` or `(A=1,B='x')`, or
   * with option `keyAsSegment` `/` and the key's text (`/O'Brien`, see `keySegment`); empty for a
   * singleton or a single-valued navigation.
   */
  readonly keyPredicate: string;
  /**
   * Set by `singleton(name, { nullable: true })`: a singleton that may be null (OData 4.01,
   * `Nullable="true"`), whose `204 No Content` is read as `null`; of any other singleton a 204 is
   * an answer without the entity.
   */
  readonly nullable?: boolean;
}
