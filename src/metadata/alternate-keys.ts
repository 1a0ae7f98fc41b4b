/**
 * Alternate keys (`Core.AlternateKeys`, and the community term it grew from, which ODataLib and
 * Dataverse write): other sets of an entity's properties that identify it as its key does, which a
 * key predicate may name instead (`accounts(accountnumber='A3')`; OData URL Conventions 4.01
 * §4.3.1). The command line's `get` reads them, and the generator types them.
 */
import { isRecord } from "../util/values.js";
import type { Annotatable, KeyRef, ServiceModel } from "./model.js";

/** The terms that declare alternate keys: the Core vocabulary's, and the community one. */
const ALTERNATE_KEY_TERMS = ["Org.OData.Core.V1.AlternateKeys", "OData.Community.Keys.V1.AlternateKeys"];

/**
 * The alternate keys declared on the elements `annotated` (an entity set, its entity type, the
 * base types), each part named by its `Alias` where it has one, else by its path. A key declared
 * twice (on a set and on its type) is one; a key with a part that names no path is left out.
 */
export function alternateKeysOn(model: ServiceModel, annotated: readonly Annotatable[]): KeyRef[][] {
  const keys: KeyRef[][] = [];
  const names = (key: readonly KeyRef[]) => key.map((k) => k.name).join(",");
  for (const element of annotated) {
    for (const term of ALTERNATE_KEY_TERMS) {
      const declared = model.annotation(element, term);
      for (const item of Array.isArray(declared) ? declared : []) {
        const parts = isRecord(item) && Array.isArray(item["Key"]) ? item["Key"] : [];
        const key = parts.flatMap((part): KeyRef[] => {
          if (!isRecord(part)) return [];
          // A path is a plain string; models stored by earlier versions wrote `{ $PropertyPath }`.
          const name = part["Name"];
          const path = typeof name === "string" ? name : isRecord(name) && typeof name["$PropertyPath"] === "string" ? name["$PropertyPath"] : undefined;
          if (path === undefined) return [];
          return [{ name: typeof part["Alias"] === "string" ? part["Alias"] : path, path }];
        });
        if (key.length > 0 && key.length === parts.length && !keys.some((known) => names(known) === names(key))) keys.push(key);
      }
    }
  }
  return keys;
}
